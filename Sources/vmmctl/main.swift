import VMMCLI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

exit(VMMCTL.main(Array(CommandLine.arguments.dropFirst())))
