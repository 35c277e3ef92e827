"""Benchmark helpers: synthetic 项目支出绩效目标表 inputs at realistic scale."""
