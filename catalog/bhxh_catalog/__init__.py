"""The procedure catalog of Trợ lý BHXH: data files, schema, rules, amounts and validators."""
