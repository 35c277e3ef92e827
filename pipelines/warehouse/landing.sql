-- Tables the Python load writes; dbt reads them as sources. Money is DECIMAL(18,2) 万元.
create schema if not exists landing;

create table if not exists landing.raw_files (
    source_path varchar primary key,
    source_sha256 varchar not null,
    size_bytes bigint not null,
    status varchar not null,            -- loaded | quarantined | conflict
    fiscal_year integer,
    department_name varchar,
    published_sha256 varchar,           -- the version whose rows are in the warehouse, if any
    checked_at timestamp with time zone not null
);

create table if not exists landing.department_tables (
    source_path varchar not null,
    source_sha256 varchar not null,
    source_line integer not null,
    source_page integer,                -- the PDF page the row starts on; null for formats without pages
    loaded_at timestamp with time zone not null,
    fiscal_year integer not null,
    department_name varchar not null,
    title varchar,
    total_amount decimal(18, 2) not null,
    fiscal_appropriation decimal(18, 2) not null,
    special_account_appropriation decimal(18, 2) not null,
    other_funds decimal(18, 2) not null,
    units_total_amount decimal(18, 2) not null
);

create table if not exists landing.funding_units (
    source_path varchar not null,
    source_sha256 varchar not null,
    source_line integer not null,
    source_page integer,                -- the PDF page the row starts on; null for formats without pages
    loaded_at timestamp with time zone not null,
    fiscal_year integer not null,
    department_name varchar not null,
    unit_name varchar not null,
    total_amount decimal(18, 2) not null,
    fiscal_appropriation decimal(18, 2) not null,
    special_account_appropriation decimal(18, 2) not null,
    other_funds decimal(18, 2) not null,
    projects_total_amount decimal(18, 2) not null
);

create table if not exists landing.projects (
    source_path varchar not null,
    source_sha256 varchar not null,
    source_line integer not null,
    source_page integer,                -- the PDF page the row starts on; null for formats without pages
    loaded_at timestamp with time zone not null,
    fiscal_year integer not null,
    department_name varchar not null,
    unit_name varchar not null,
    project_name varchar not null,
    total_amount decimal(18, 2) not null,
    fiscal_appropriation decimal(18, 2) not null,
    special_account_appropriation decimal(18, 2) not null,
    other_funds decimal(18, 2) not null,
    performance_goal varchar
);

create table if not exists landing.indicators (
    source_path varchar not null,
    source_sha256 varchar not null,
    source_line integer not null,
    source_page integer,                -- the PDF page the row starts on; null for formats without pages
    loaded_at timestamp with time zone not null,
    fiscal_year integer not null,
    department_name varchar not null,
    unit_name varchar not null,
    project_name varchar not null,
    indicator_seq integer not null,
    level1_code varchar,
    level1_name varchar not null,
    level2_code varchar,
    level2_name varchar not null,
    indicator_name varchar not null,
    period_target_text varchar,
    annual_target_text varchar,
    annual_operator varchar,            -- typed 年度指标值 (pipelines/ingest/targets.py, docs/targets.md)
    annual_value double,
    annual_unit varchar,
    annual_per varchar,
    annual_kind varchar,                -- quantitative | qualitative | deadline | unparsed
    annual_deadline date,
    period_operator varchar,            -- typed 实施周期指标值, the same fields
    period_value double,
    period_unit varchar,
    period_per varchar,
    period_kind varchar,
    period_deadline date,
    annual_value_max double,            -- upper bound of a range target (operator between), else null
    period_value_max double
);

-- Warehouses created before the typed targets (0.2.0) gain the columns here; the load then fills
-- them from the stored target texts (landing.backfill_typed_targets).
alter table landing.indicators add column if not exists annual_operator varchar;
alter table landing.indicators add column if not exists annual_value double;
alter table landing.indicators add column if not exists annual_unit varchar;
alter table landing.indicators add column if not exists annual_per varchar;
alter table landing.indicators add column if not exists annual_kind varchar;
alter table landing.indicators add column if not exists annual_deadline date;
alter table landing.indicators add column if not exists period_operator varchar;
alter table landing.indicators add column if not exists period_value double;
alter table landing.indicators add column if not exists period_unit varchar;
alter table landing.indicators add column if not exists period_per varchar;
alter table landing.indicators add column if not exists period_kind varchar;
alter table landing.indicators add column if not exists period_deadline date;
-- Range targets (0.3.0): "90%-95%" is between 90 (annual_value) and 95 (annual_value_max).
alter table landing.indicators add column if not exists annual_value_max double;
alter table landing.indicators add column if not exists period_value_max double;

create table if not exists landing.load_issues (
    source_path varchar not null,
    source_sha256 varchar not null,
    fiscal_year integer,
    department_name varchar,
    category varchar not null,
    severity varchar not null,          -- error (file quarantined) | warning (file loaded)
    source_line integer,
    source_page integer,                -- the PDF page of the problem, when the file has pages
    message varchar not null,
    detected_at timestamp with time zone not null
);

-- Warehouses created before PDF and Word documents (issue 11) gain the page of each row here.
alter table landing.department_tables add column if not exists source_page integer;
alter table landing.funding_units add column if not exists source_page integer;
alter table landing.projects add column if not exists source_page integer;
alter table landing.indicators add column if not exists source_page integer;
alter table landing.load_issues add column if not exists source_page integer;

-- Which parser and which dbt models built this warehouse (pipelines/warehouse/fingerprints.py):
-- when either changed, a load re-reads every file or rebuilds the marts although raw/ did not.
create table if not exists landing.build_state (
    key varchar primary key,
    value varchar not null
);

-- The per-project form (0.3.0): which layout read a project, and its 实施期目标.
alter table landing.projects add column if not exists period_goal varchar;
alter table landing.projects add column if not exists source_form varchar default 'horizontal';

-- 项目支出绩效自评表: one row per evaluated project (its money and 总分) …
create table if not exists landing.project_evaluations (
    source_path varchar not null,
    source_sha256 varchar not null,
    source_line integer not null,
    source_page integer,                -- the PDF page the row starts on; null for formats without pages
    loaded_at timestamp with time zone not null,
    fiscal_year integer not null,
    department_name varchar not null,
    unit_name varchar not null,
    project_name varchar not null,
    budget_initial decimal(18, 2),      -- 年初预算数
    budget_adjusted decimal(18, 2),     -- 全年预算数
    executed decimal(18, 2),            -- 全年执行数
    execution_rate double,              -- executed / budget_adjusted (the published rate if no amounts)
    published_execution_rate double,    -- 执行率 as printed, as a ratio
    budget_weight double,               -- 分值 of the funds row
    budget_score double,                -- 得分 of the funds row
    total_weight double,                -- 总分 row, 分值
    self_score double,                  -- 总分 row, 得分
    indicator_count integer not null,
    indicator_weight_total double,      -- sum of the indicators' 分值
    indicator_score_total double        -- sum of the indicators' 得分
);

-- … and one row per evaluated indicator: promise, result, score.
create table if not exists landing.indicator_results (
    source_path varchar not null,
    source_sha256 varchar not null,
    source_line integer not null,
    source_page integer,                -- the PDF page the row starts on; null for formats without pages
    loaded_at timestamp with time zone not null,
    fiscal_year integer not null,
    department_name varchar not null,
    unit_name varchar not null,
    project_name varchar not null,
    indicator_seq integer not null,
    level1_name varchar not null,
    level2_name varchar not null,
    indicator_name varchar not null,
    target_text varchar,                -- 年度指标值, typed as in landing.indicators
    target_operator varchar,
    target_value double,
    target_value_max double,
    target_unit varchar,
    target_kind varchar,
    actual_text varchar,                -- 实际完成值, typed by the same grammar
    actual_value double,
    actual_unit varchar,
    actual_kind varchar,
    weight double,                      -- 分值
    score double,                       -- 得分
    deviation_reason varchar            -- 偏差原因分析及改进措施
);

-- The change set (pipelines/load/changes.py): every file whose landing rows or load issues a load
-- replaced or removed, since the marts were last built, with the fiscal years and departments its
-- rows held before. The incremental marts rebuild only these files' and departments' rows; the
-- marts' build empties it.
create table if not exists landing.load_changes (
    source_path varchar not null,
    change varchar not null,            -- loaded | removed | quarantined | conflict | not_read
    fiscal_year integer,                -- a year and department the file's rows held before the load
    department_name varchar,            -- (null when it held none)
    recorded_at timestamp with time zone not null
);
