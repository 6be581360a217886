import Glibc

/// Why a snapshot could not be written or read. Each message names the problem and what to do.
public enum SnapshotError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file does not start with the snapshot magic.
    case notASnapshot
    /// The snapshot was taken on another architecture.
    case otherArchitecture(found: String, supported: String)
    /// The container format is newer than this build reads.
    case formatVersionTooNew(found: UInt32, supported: UInt32)
    /// A mandatory section this build does not know (written by a newer vmmctl).
    case unknownSection(tag: String, version: UInt32, formatVersion: UInt32, supportedFormat: UInt32)
    /// A known section at a version this build cannot read.
    case unsupportedSectionVersion(tag: String, found: UInt32, supported: UInt32)
    /// The bytes end early: at `offset`, while reading `context`.
    case truncated(offset: Int, context: String)
    /// A section's (or the whole file's) CRC-32C does not match its bytes.
    case checksumMismatch(section: String, offset: Int, stored: UInt32, computed: UInt32)
    /// A field holds a value no writer produces.
    case malformed(section: String, offset: Int, reason: String)
    /// The memory file named by the snapshot is not there.
    case memoryFileMissing(path: String)
    /// The memory file's size differs from the recorded guest RAM size.
    case memoryFileSize(path: String, found: UInt64, expected: UInt64)
    /// The memory file's CRC-32C differs from the recorded one.
    case memoryChecksumMismatch(path: String, found: UInt32, expected: UInt32)
    /// The snapshot directory to be written already exists.
    case targetExists(path: String)
    /// The MTE tag file the snapshot records is not in the directory.
    case tagFileMissing(path: String)
    /// The MTE tag file does not hold exactly the recorded bytes (half a byte per 16-byte granule).
    case tagFileSize(path: String, found: UInt64, expected: UInt64)
    /// The MTE tag file's CRC-32C does not match the recorded one.
    case tagChecksumMismatch(path: String, found: UInt32, expected: UInt32)
    /// The state to be written is inconsistent (for example, no guest RAM at the recorded address).
    case invalidState(String)
    /// The snapshot's sections decode but contradict each other (RAM size versus the machine's, a
    /// vCPU's EL2 feature versus the machine's nesting, ...): no machine can be built from it.
    case inconsistent(String)
    /// Reading guest RAM for the memory file failed.
    case memorySource(String)
    /// An incremental snapshot's chain is broken (or `--base` names the wrong snapshot).
    case chain(ChainProblem)
    /// A host file operation failed.
    case io(operation: String, path: String, errno: Int32)
    /// An error about the file at `path`.
    indirect case inFile(path: String, SnapshotError)

    /// The error without any `inFile` wrapping.
    public var underlying: SnapshotError {
        if case .inFile(_, let inner) = self { return inner.underlying }
        return self
    }

    public var description: String {
        switch self {
        case .inFile(let path, let inner):
            return "\(path): \(inner)"
        case .notASnapshot, .otherArchitecture, .formatVersionTooNew, .unknownSection,
            .unsupportedSectionVersion:
            return compatibilityDescription
        case .truncated, .checksumMismatch, .malformed, .inconsistent:
            return integrityDescription
        default:
            return filesDescription
        }
    }

    private var compatibilityDescription: String {
        switch self {
        case .notASnapshot:
            return "not a vmmctl snapshot (no VMMCTLSS magic); pass the state file of a snapshot directory"
        case .otherArchitecture(let found, let supported):
            return "snapshot was taken on \(found), this vmmctl restores \(supported) snapshots only; "
                + "restore it on a \(found) host"
        case .formatVersionTooNew(let found, let supported):
            return "snapshot format \(found) is newer than this vmmctl supports (\(supported)); use a newer vmmctl"
        case .unknownSection(let tag, let version, let formatVersion, let supportedFormat):
            return "snapshot section '\(tag)' (version \(version), mandatory, in format \(formatVersion)) is "
                + "unknown to this vmmctl (format \(supportedFormat)); use the newer vmmctl that wrote it"
        case .unsupportedSectionVersion(let tag, let found, let supported):
            return "snapshot section '\(tag)' version \(found) is not supported (this vmmctl reads version "
                + "\(supported)); use a vmmctl that reads version \(found)"
        default:
            return ""
        }
    }

    private var integrityDescription: String {
        switch self {
        case .truncated(let offset, let context):
            return "snapshot is truncated at offset \(offset) (\(context)); the file was cut short, "
                + "take the snapshot again or restore an intact copy"
        case .checksumMismatch(let section, let offset, let stored, let computed):
            return "snapshot checksum mismatch in \(section) at offset \(offset) (stored \(hex32(stored)), "
                + "computed \(hex32(computed))); the file is corrupt, restore an intact copy"
        case .malformed(let section, let offset, let reason):
            return "snapshot \(section) at offset \(offset) is malformed: \(reason); the file is corrupt "
                + "or was written by an incompatible vmmctl"
        case .inconsistent(let reason):
            return "snapshot is inconsistent: \(reason); it was edited or written by a faulty vmmctl, "
                + "restore another snapshot"
        default:
            return ""
        }
    }

    private var filesDescription: String {
        switch self {
        case .memoryFileMissing(let path):
            return "snapshot memory file \(path) is missing; copy it back into the snapshot directory"
        case .memoryFileSize(let path, let found, let expected):
            return "snapshot memory file \(path) has \(found) bytes, the snapshot records \(expected); "
                + "it is truncated or from another snapshot, restore an intact copy"
        case .memoryChecksumMismatch(let path, let found, let expected):
            return "snapshot memory file \(path) has CRC-32C \(hex32(found)), the snapshot records "
                + "\(hex32(expected)); it is corrupt or from another snapshot, restore an intact copy"
        case .tagFileMissing(let path):
            return "snapshot MTE tag file \(path) is missing; the guest's allocation tags would be lost, "
                + "copy it back into the snapshot directory"
        case .tagFileSize(let path, let found, let expected):
            return "snapshot MTE tag file \(path) has \(found) bytes, the snapshot records \(expected) "
                + "(half a byte per 16-byte granule of guest RAM); it is truncated or from another snapshot, "
                + "restore an intact copy"
        case .tagChecksumMismatch(let path, let found, let expected):
            return "snapshot MTE tag file \(path) has CRC-32C \(hex32(found)), the snapshot records "
                + "\(hex32(expected)); it is corrupt or from another snapshot, restore an intact copy"
        case .targetExists(let path):
            return "snapshot directory \(path) already exists; choose another name or remove it"
        case .invalidState(let reason):
            return "cannot snapshot this machine state: \(reason); nothing was written (this is a vmmctl bug, "
                + "please report it)"
        case .memorySource(let reason):
            return "reading guest RAM for the snapshot failed: \(reason); nothing was written"
        case .io(let operation, let path, let errno):
            return "\(operation) \(path): \(Errno.describe(errno))\(Self.hint(errno))"
        case .chain(let problem):
            return problem.description
        default:
            return ""
        }
    }
}

extension SnapshotError {
    /// What to do about a failed file operation, by errno.
    static func hint(_ code: Int32) -> String {
        switch code {
        case ENOSPC, EDQUOT: return "; free some space or write the snapshot elsewhere"
        case EACCES, EPERM, EROFS: return "; check the permissions of the directory, or choose another one"
        case ENOENT, ENOTDIR: return "; check that the directory exists"
        case EEXIST: return "; a leftover from an interrupted snapshot? remove it"
        default: return ""
        }
    }
}

/// `0x` plus 8 lower-case hex digits.
func hex32(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
