/// What one device adds to the guest's device tree: nodes under the root, and whether it is the
/// console (`/chosen/stdout-path`).
///
/// Devices that share a node (two PL011s fed by one fixed clock) each declare it; `DeviceTree` keeps
/// one copy of identical nodes and refuses two different nodes of the same name.
public struct DeviceTreeContribution: Hashable, Sendable {
    /// Nodes to add under the root, in order.
    public var nodes: [FDTNode]
    /// The path `/chosen/stdout-path` names when this device is the console.
    public var stdoutPath: String?

    public init(nodes: [FDTNode], stdoutPath: String? = nil) {
        self.nodes = nodes
        self.stdoutPath = stdoutPath
    }
}
