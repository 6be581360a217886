import VMMCLI
print(placeholder())
