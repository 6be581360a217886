import Foundation

/// Golden files for the boot tests: read from the bundle, rewritten in the source tree on request.
enum BootGolden {
    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String { "golden file not found: \(path) (run with VMMCTL_REGENERATE_GOLDEN=1)" }
    }

    static var regenerate: Bool { ProcessInfo.processInfo.environment["VMMCTL_REGENERATE_GOLDEN"] == "1" }

    /// The source-tree Golden directory; the bundle copy lives in the build tree and is read-only.
    static func sourceURL(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Golden").appendingPathComponent(name)
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        guard let base = Bundle.module.resourceURL else { throw Missing(path: name) }
        let path = base.appendingPathComponent("Golden").appendingPathComponent(name).path
        guard let data = FileManager.default.contents(atPath: path) else { throw Missing(path: path) }
        return [UInt8](data)
    }

    static func write(_ bytes: [UInt8], to name: String) throws {
        try Data(bytes).write(to: sourceURL(name))
    }
}

/// The `dtc` binary (Debian package device-tree-compiler), if it is on PATH.
enum DTC {
    static let path: String? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        return directories.map { "\($0)/dtc" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Runs dtc on `blob` with output format `format` ("dts" or "dtb"): exit status, output, diagnostics.
    static func convert(
        _ blob: [UInt8], to format: String
    ) throws -> (status: Int32, output: [UInt8], diagnostics: String) {
        let directory = FileManager.default.temporaryDirectory
        let stem = "vmmctl-dtc-\(UUID().uuidString)"
        let input = directory.appendingPathComponent(stem + ".dtb")
        let errors = directory.appendingPathComponent(stem + ".err")
        try Data(blob).write(to: input)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: input)
            try? FileManager.default.removeItem(at: errors)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path ?? "dtc")
        process.arguments = ["-I", "dtb", "-O", format, "-o", "-", input.path]
        let out = Pipe()
        process.standardOutput = out
        // A file, not a pipe, so a chatty stderr cannot stall dtc while we drain stdout.
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let diagnostics = FileManager.default.contents(atPath: errors.path) ?? Data()
        return (process.terminationStatus, [UInt8](output), String(decoding: diagnostics, as: UTF8.self))
    }
}

/// A deterministic generator for the garbage-input tests (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
