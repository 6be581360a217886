import SysRegs
public func placeholder() -> Int { RegisterTable.all.count }
