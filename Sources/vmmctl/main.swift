import VMM
import VMMCLI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

MallocPolicy.applyForVMM()
exit(VMMCTL.main(Array(CommandLine.arguments.dropFirst())))
