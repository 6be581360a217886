import Foundation
import SysRegs

/// Loads the checked-in fixtures and golden files bundled with the test target.
enum TestResources {
    /// The lab's KVM_GET_REG_LIST dumps and the vCPU features each was taken with
    /// (docs/testing.md).
    static let regListFixtures: [(file: String, features: VCPUFeatures)] = [
        ("el1", []),
        ("el2-vhe", [.el2]),
        ("el2-e2h0", [.el2, .e2h0]),
        ("el2-vhe-sve", [.el2, .sve]),
    ]

    struct MissingResource: Error, CustomStringConvertible {
        let path: String
        var description: String { "test resource not found: \(path)" }
    }

    /// The text of a bundled resource, by path below the bundle's resource directory.
    static func text(_ relativePath: String) throws -> String {
        guard let base = Bundle.module.resourceURL else { throw MissingResource(path: relativePath) }
        let url = base.appendingPathComponent(relativePath)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw MissingResource(path: url.path)
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The ids of one reglist fixture, in file order.
    static func regList(_ name: String) throws -> [OneRegID] {
        try text("Fixtures/kvm-reglists/\(name).txt").split(whereSeparator: \.isNewline).compactMap { line in
            let hex = line.trimmingCharacters(in: .whitespaces)
            guard hex.hasPrefix("0x") else { return nil }
            return UInt64(hex.dropFirst(2), radix: 16).map(OneRegID.init(rawValue:))
        }
    }
}
