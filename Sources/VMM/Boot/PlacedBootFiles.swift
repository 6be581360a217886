/// A Linux guest's kernel and initrd files, opened and checked, and where each goes in guest RAM
/// (`Machine.placeLinuxFiles`).
struct PlacedBootFiles {
    let placement: BootPlacement
    /// The kernel, then the initrd if there is one, each with its guest address set.
    let files: [BootFile]
}
