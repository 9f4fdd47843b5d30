"""SOP tables (PermenPANRB 35/2012) to executable models: import (`model`, `flow`, `layout`, `bpmn_writer`,
`forms`, `importer`), path simulation on the engine (`paths`, `datagen`, `solver`, `repository`,
`simulate`, `report`) and the `alur sop import` / `alur simulate` commands (`cli`)."""
