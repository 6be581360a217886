import Testing

@testable import SysRegs

/// The register table against the lab's KVM_GET_REG_LIST dumps (recorded on the kernel named in
/// `Fixtures/kvm-reglists/kernel-release`): every id KVM lists has a name, and the visibility column
/// predicts each list exactly. Pure: the KVM tier compares a live host's lists (KVMTierTests).
@Suite struct RegListFixtureTests {
    @Test(arguments: TestResources.regListFixtures.map(\.file))
    func everyListedIDResolvesToANamedRegister(file: String) throws {
        let ids = try TestResources.regList(file)
        #expect(!ids.isEmpty)
        for id in ids {
            let name = RegisterTable.lookup(id).name
            #expect(RegisterTable.descriptor(for: id) != nil, "\(file): \(id) (\(name)) has no name")
        }
    }

    @Test(arguments: TestResources.regListFixtures.map(\.file))
    func regListEqualsKVMs(file: String) throws {
        let features = try #require(TestResources.regListFixtures.first { $0.file == file }).features
        let listed = Set(try TestResources.regList(file))
        let predicted = Set(RegisterTable.regList(for: features).map(\.id))
        let missing = listed.subtracting(predicted).sorted().map { RegisterTable.lookup($0).name }
        let extra = predicted.subtracting(listed).sorted().map { RegisterTable.lookup($0).name }
        #expect(missing.isEmpty, "\(file): KVM lists but the model does not: \(missing)")
        #expect(extra.isEmpty, "\(file): the model lists but KVM does not: \(extra)")
        #expect(RegisterTable.regList(for: features).count == listed.count)
    }

    @Test func fixtureCountsMatchTheLabFindings() throws {
        #expect(try TestResources.regList("el1").count == 262)
        #expect(try TestResources.regList("el2-vhe").count == 309)
        #expect(try TestResources.regList("el2-e2h0").count == 306)
        #expect(try TestResources.regList("el2-vhe-sve").count == 329)
    }
}
