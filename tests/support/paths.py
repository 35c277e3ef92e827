"""Where the repository's own inputs are, for tests that copy them into temporary folders."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SEED_PATH = REPO_ROOT / "raw" / "2024" / "广州市越秀区政务服务数据管理局_2024_项目支出绩效目标表.txt"
