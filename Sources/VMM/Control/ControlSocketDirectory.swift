import Glibc

/// The per-user directory that holds the default control socket (docs/control-protocol.md, "Path"):
/// `$XDG_RUNTIME_DIR/vmmctl`, else `/tmp/vmmctl-<uid>`, mode 0700 and owned by the user. In a shared
/// /tmp another user could create the path first; a directory that is not a real directory, not ours
/// or open to others is refused, never used, so nobody can plant a socket where our VM or our
/// commands look for it.
public enum ControlSocketDirectory {
    /// Why the directory cannot be used.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// The directory for `environment` and `uid`.
    public static func path(environment: [String: String], uid: UInt32) -> String {
        if let dir = environment["XDG_RUNTIME_DIR"], !dir.isEmpty { return dir + "/vmmctl" }
        return "/tmp/vmmctl-\(uid)"
    }

    /// Creates the directory (0700) if it is missing, then checks it; returns the socket path in it.
    public static func prepare(environment: [String: String], uid: UInt32) throws(Problem) -> String {
        let dir = path(environment: environment, uid: uid)
        if mkdir(dir, 0o700) == 0 {
            // mkdir's mode is masked by the umask: a user's umask of 0177 would leave 0600, which check()
            // then refuses. Set the mode we meant explicitly; lstat in check() still catches a swapped path.
            chmod(dir, 0o700)
        } else if errno != EEXIST {
            throw Problem(description: "cannot create the control socket directory '\(dir)': \(Errno.describe(errno))")
        }
        try check(dir, uid: uid)
        return dir + "/vmmctl.sock"
    }

    /// Refuses a path that is a symlink or not a directory, is owned by someone other than `uid`, or
    /// whose mode is not exactly 0700.
    public static func check(_ dir: String, uid: UInt32) throws(Problem) {
        var st = stat()
        guard lstat(dir, &st) == 0 else {
            throw Problem(description: "cannot inspect the control socket directory '\(dir)': \(Errno.describe(errno))")
        }
        let fix = "remove it if it is not yours, or pass --api-socket PATH"
        guard st.st_mode & S_IFMT == S_IFDIR else {
            throw Problem(description: "the control socket directory '\(dir)' is not a directory (a symlink?); \(fix)")
        }
        guard st.st_uid == uid else {
            throw Problem(
                description: "the control socket directory '\(dir)' belongs to uid \(st.st_uid), not to you "
                    + "(uid \(uid)); \(fix)")
        }
        guard st.st_mode & 0o777 == 0o700 else {
            throw Problem(
                description: "the control socket directory '\(dir)' has mode "
                    + "0\(String(st.st_mode & 0o777, radix: 8)), expected 0700; chmod 700 it or pass --api-socket PATH")
        }
    }
}
