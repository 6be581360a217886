import Glibc

/// Partial directories a killed snapshot writer left behind (`NAME.partial-PID`, see `write`): the
/// next snapshot into the same parent directory removes those whose writer is gone and that hold
/// nothing but the files a snapshot writes (state, memory, MTE tags); anything else is left alone and returned, so the
/// caller can report it.
extension SnapshotStore {
    /// Removes dead writers' partial directories next to `target`; returns those it had to leave
    /// (unexpected contents). A live writer's directory (its pid exists) is never touched.
    @discardableResult
    static func cleanLeftoverPartials(besides target: String) -> [String] {
        let parent = parentDirectory(of: target)
        var kept: [String] = []
        for name in entries(of: parent) {
            guard let pid = partialWriterPID(name), pid != getpid(), !processExists(pid) else { continue }
            let path = parent + "/" + name
            HostFile.removeFile(path + "/" + memoryFileName)
            HostFile.removeFile(path + "/" + stateFileName)
            HostFile.removeFile(path + "/" + TagState.defaultFileName)
            if !HostFile.removeDirectory(path) { kept.append(path) }
        }
        return kept
    }

    /// The writer's pid if `name` is a partial directory's name (`ANY.partial-DIGITS`): the digits after
    /// the last `.partial-`. Searched as UTF-8 bytes with the standard library alone: `String.split`
    /// and `contains` with a string argument come from `_StringProcessing`, which linked that module
    /// and its regex parser (0.8 MB of text) into the static binary for this one function.
    static func partialWriterPID(_ name: String) -> Int32? {
        let bytes = Array(name.utf8)
        let marker = Array(".partial-".utf8)
        var start = bytes.count - marker.count
        while start >= 0, !bytes[start..<start + marker.count].elementsEqual(marker) { start -= 1 }
        guard start >= 0 else { return nil }
        let digits = bytes[(start + marker.count)...]
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return Int32(String(decoding: digits, as: UTF8.self))
    }

    private static func processExists(_ pid: Int32) -> Bool { kill(pid, 0) == 0 || errno != ESRCH }

    private static func entries(of directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            // SAFETY: d_name is a NUL-terminated array inside the dirent readdir returned.
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if partialWriterPID(name) != nil { names.append(name) }
        }
        return names
    }
}
