// swift-tools-version:6.0
// 6.0 is the newest tools version that both our hosts' Swift 6.3.1 and the lab's Debian Swift 6.2.3 accept
// without relying on features either lacks. No third-party packages: the toolchain is the whole dependency set.
import PackageDescription

let package = Package(
    name: "vmmctl",
    products: [
        .executable(name: "vmmctl", targets: ["vmmctl"]),
        .library(name: "SysRegs", targets: ["SysRegs"]),
        .library(name: "VMM", targets: ["VMM"]),
    ],
    targets: [
        // Our own declarations of the arm64 KVM UAPI (see docs/architecture.md and the CKVM header).
        .target(name: "CKVM"),
        // The arm64 register model: pure Swift, no Glibc, no CKVM; builds and tests on any host.
        .target(name: "SysRegs"),
        // KVM layer, guest memory, vCPUs, devices, boot and snapshots.
        .target(name: "VMM", dependencies: ["CKVM", "SysRegs"]),
        // The command line as a library, so tests can run commands in-process; `vmmctl` is its entry point.
        .target(name: "VMMCLI", dependencies: ["VMM", "SysRegs"]),
        .executableTarget(name: "vmmctl", dependencies: ["VMMCLI", "VMM"]),
        .testTarget(
            name: "SysRegsTests", dependencies: ["SysRegs"],
            resources: [.copy("Golden"), .copy("Fixtures")]),
        .testTarget(
            name: "VMMTests", dependencies: ["VMM", "CKVM", "SysRegs"],
            resources: [.copy("Golden"), .copy("Fixtures")]),
        .testTarget(name: "VMMCLITests", dependencies: ["VMMCLI", "SysRegs"]),
    ]
)
