"""Reading published 项目支出绩效目标表 files into typed rows, independent of Dagster."""
