#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif
import VMMCLI

exit(VMMCTL.main(Array(CommandLine.arguments.dropFirst())))
