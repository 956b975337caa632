"""Row and column definitions of the official tables (domain.md §1a/§1b), as plain data.

Labels are the official template wording; `short` forms are for one-line check messages; `aliases`
are the phrases that locate a row label in real reports (pattern syntax in `RowSpec`).
"""

from __future__ import annotations

from gkreport.templates import OUTCOMES, ColumnSpec, RowSpec, Schema, SumRule, TableSpec

# ---------------------------------------------------------------------------------------------------
# Table 二 (主动公开政府信息情况)

_T2_COLUMNS_2021 = (
    ColumnSpec("made", "本年制发件数", "制发"),
    ColumnSpec("repealed", "本年废止件数", "废止"),
    ColumnSpec("in_force", "现行有效件数", "现行有效"),
    ColumnSpec("decisions", "本年处理决定数量", "处理决定"),
    ColumnSpec("amount", "本年收费金额（单位：万元）", "收费金额", kind="amount", unit="万元"),
)

_ITEM_1 = "第二十条第（一）项"
_ITEM_5 = "第二十条第（五）项"
_ITEM_6 = "第二十条第（六）项"
_ITEM_8 = "第二十条第（八）项"
_ITEM_9 = "第二十条第（九）项"

_T2_ROWS_2021 = (
    RowSpec("regulations", "规章", "规章", ("规章",), columns=("made", "repealed", "in_force"), block=_ITEM_1),
    RowSpec(
        "normative_docs",
        "行政规范性文件",
        "行政规范性文件",
        ("[行政]规范性文件",),
        columns=("made", "repealed", "in_force"),
        block=_ITEM_1,
    ),
    RowSpec("licensing", "行政许可", "行政许可", ("行政许可",), columns=("decisions",), block=_ITEM_5),
    RowSpec("punishment", "行政处罚", "行政处罚", ("行政处罚",), columns=("decisions",), block=_ITEM_6),
    RowSpec("coercion", "行政强制", "行政强制", ("行政强制",), columns=("decisions",), block=_ITEM_6),
    RowSpec("fees", "行政事业性收费", "行政事业性收费", ("[行政]事业性收费",), columns=("amount",), block=_ITEM_8),
)

_T2_COLUMNS_2019 = (
    ColumnSpec("new_made", "本年新制作数量", "新制作"),
    ColumnSpec("new_published", "本年新公开数量", "新公开"),
    ColumnSpec("total_published", "对外公开总数量", "对外公开总数"),
    ColumnSpec("prev_count", "上一年项目数量", "上一年项目数"),
    ColumnSpec("change", "本年增/减", "本年增减", kind="signed"),
    ColumnSpec("decisions", "处理决定数量", "处理决定"),
    ColumnSpec("projects", "采购项目数量", "采购项目数"),
    ColumnSpec("amount", "采购总金额", "采购总金额", kind="amount"),
)

_COUNTS_2019 = ("new_made", "new_published", "total_published")
_ITEMS_2019 = ("prev_count", "change", "decisions")

_T2_ROWS_2019 = (
    RowSpec("regulations", "规章", "规章", ("规章",), columns=_COUNTS_2019, block=_ITEM_1),
    RowSpec("normative_docs", "规范性文件", "规范性文件", ("[行政]规范性文件",), columns=_COUNTS_2019, block=_ITEM_1),
    RowSpec("licensing", "行政许可", "行政许可", ("行政许可",), columns=_ITEMS_2019, block=_ITEM_5),
    RowSpec(
        "other_services",
        "其他对外管理服务事项",
        "其他对外管理服务事项",
        ("[其他]对外管理服务[事项]",),
        columns=_ITEMS_2019,
        block=_ITEM_5,
    ),
    RowSpec("punishment", "行政处罚", "行政处罚", ("行政处罚",), columns=_ITEMS_2019, block=_ITEM_6),
    RowSpec("coercion", "行政强制", "行政强制", ("行政强制",), columns=_ITEMS_2019, block=_ITEM_6),
    RowSpec(
        "fees",
        "行政事业性收费",
        "行政事业性收费",
        ("[行政]事业性收费",),
        columns=("prev_count", "change"),
        block=_ITEM_8,
    ),
    RowSpec(
        "procurement",
        "政府集中采购",
        "政府集中采购",
        ("[政府]集中采购",),
        columns=("projects", "amount"),
        block=_ITEM_9,
    ),
)

# ---------------------------------------------------------------------------------------------------
# Table 三 (收到和处理政府信息公开申请情况)

T3_COLUMNS = (
    ColumnSpec("natural_person", "自然人", "自然人"),
    ColumnSpec("commercial", "商业企业", "商业企业"),
    ColumnSpec("research", "科研机构", "科研机构"),
    ColumnSpec("social_welfare", "社会公益组织", "社会公益组织"),
    ColumnSpec("legal_service", "法律服务机构", "法律服务机构"),
    ColumnSpec("other_org", "其他", "其他组织"),
    ColumnSpec("total", "总计", "总计"),
)

_T3_HEAD = (
    RowSpec("new_received", "一、本年新收政府信息公开申请数量", "新收", ("本年新收",), prefix="一"),
    RowSpec("carried_over", "二、上年结转政府信息公开申请数量", "上年结转", ("上年结转",), prefix="二"),
    RowSpec("granted", "（一）予以公开", "予以公开", ("予以公开",), prefix="(一)"),
    RowSpec(
        "partially_granted",
        "（二）部分公开",
        "部分公开",
        ("部分公开",),
        prefix="(二)",
        wording="部分公开（区分处理的，只计这一情形，不计其他情形）",
    ),
    RowSpec("denied.state_secret", "（三）不予公开 1.属于国家秘密", "属于国家秘密", ("[属于]国家秘密",), prefix="1"),
    RowSpec(
        "denied.law_prohibited",
        "（三）不予公开 2.其他法律行政法规禁止公开",
        "法律法规禁止公开",
        ("[其他]法律行政法规禁止公开", "[其他]法律行政…止公开"),
        prefix="2",
    ),
    RowSpec(
        "denied.security_stability",
        "（三）不予公开 3.危及“三安全一稳定”",
        "危及三安全一稳定",
        ("危及", "三安全一稳定"),
        prefix="3",
    ),
    RowSpec(
        "denied.third_party",
        "（三）不予公开 4.保护第三方合法权益",
        "保护第三方合法权益",
        ("[保护]第三方合法权益",),
        prefix="4",
    ),
    RowSpec(
        "denied.internal_affairs",
        "（三）不予公开 5.属于三类内部事务信息",
        "三类内部事务信息",
        ("[属于]三类内部事务", "内部事务信息"),
        prefix="5",
    ),
    RowSpec(
        "denied.process_info",
        "（三）不予公开 6.属于四类过程性信息",
        "四类过程性信息",
        ("[属于]四类过程性", "过程性信息"),
        prefix="6",
    ),
    RowSpec(
        "denied.enforcement_file",
        "（三）不予公开 7.属于行政执法案卷",
        "行政执法案卷",
        ("[属于]行政执法案卷", "执法案卷"),
        prefix="7",
    ),
    RowSpec(
        "denied.query_item",
        "（三）不予公开 8.属于行政查询事项",
        "行政查询事项",
        ("[属于]行政查询事项", "查询事项"),
        prefix="8",
    ),
    RowSpec(
        "unable.not_held",
        "（四）无法提供 1.本机关不掌握相关政府信息",
        "本机关不掌握",
        ("本机关不掌握", "本单位不掌握", "不掌握相关"),
        prefix="1",
    ),
    RowSpec(
        "unable.needs_creation",
        "（四）无法提供 2.没有现成信息需要另行制作",
        "需另行制作",
        ("没有现成信息", "需要另行制作"),
        prefix="2",
    ),
    RowSpec(
        "unable.still_unclear",
        "（四）无法提供 3.补正后申请内容仍不明确",
        "补正后仍不明确",
        ("补正后申请内容", "申请内容仍不明确"),
        prefix="3",
    ),
    RowSpec(
        "not_processed.petition", "（五）不予处理 1.信访举报投诉类申请", "信访举报投诉类", ("信访举报",), prefix="1"
    ),
    RowSpec("not_processed.repeated", "（五）不予处理 2.重复申请", "重复申请", ("重复申请",), prefix="2"),
    RowSpec(
        "not_processed.publication",
        "（五）不予处理 3.要求提供公开出版物",
        "要求提供公开出版物",
        ("[要求提供]公开出版物",),
        prefix="3",
    ),
    RowSpec(
        "not_processed.mass_repeated",
        "（五）不予处理 4.无正当理由大量反复申请",
        "大量反复申请",
        ("[无正当理由]大量反复",),
        prefix="4",
    ),
    RowSpec(
        "not_processed.confirm_existing",
        "（五）不予处理 5.要求行政机关确认或重新出具已获取信息",
        "要求确认或重新出具",
        ("[要求行政机关]确认或重新出具",),
        prefix="5",
    ),
)

_T3_OTHER_2021 = (
    RowSpec(
        "other.no_correction",
        "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "逾期不补正",
        ("[申请人][无正当理由]逾期不补正",),
        prefix="1",
    ),
    RowSpec(
        "other.no_fee",
        "（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "逾期未缴费",
        ("[申请人]逾期未按收费通知", "缴纳费用"),
        prefix="2",
    ),
    RowSpec("other.other", "（六）其他处理 3.其他", "其他处理·其他", ("其他",), prefix="3", prefix_required=True),
)

_OTHER_MEMBERS = tuple(row.id for row in _T3_OTHER_2021)
_T3_OTHER_SINGLE = RowSpec("other", "（六）其他处理", "其他处理", ("其他处理",), prefix="(六)", members=_OTHER_MEMBERS)

_T3_TAIL = (
    RowSpec("total", "（七）总计", "办理总计", ("总计",), prefix="(七)", prefix_required=True),
    RowSpec("carry_forward", "四、结转下年度继续办理", "结转下年", ("结转下年",), prefix="四"),
)

_T3_OUTCOMES_COMMON = tuple(row.id for row in _T3_HEAD[2:])

# ---------------------------------------------------------------------------------------------------
# Table 四 (政府信息公开行政复议、行政诉讼情况): same in both templates

T4_COLUMNS = (
    ColumnSpec("upheld", "结果维持", "维持"),
    ColumnSpec("corrected", "结果纠正", "纠正"),
    ColumnSpec("other", "其他结果", "其他结果"),
    ColumnSpec("pending", "尚未审结", "尚未审结"),
    ColumnSpec("total", "总计", "总计"),
)

T4_ROWS = (
    RowSpec("reconsideration", "行政复议", "行政复议", ("行政复议",)),
    RowSpec("litigation_direct", "行政诉讼·未经复议直接起诉", "未经复议直接起诉", ("未经复议直接起诉",)),
    RowSpec("litigation_after_review", "行政诉讼·复议后起诉", "复议后起诉", ("复议后起诉",)),
)

_T4 = TableSpec("4", "政府信息公开行政复议、行政诉讼情况", T4_ROWS, T4_COLUMNS)

SCHEMA_2021 = Schema(
    name="2021",
    tables={
        "2": TableSpec("2", "主动公开政府信息情况", _T2_ROWS_2021, _T2_COLUMNS_2021),
        "3": TableSpec(
            "3",
            "收到和处理政府信息公开申请情况",
            _T3_HEAD + _T3_OTHER_2021 + (_T3_OTHER_SINGLE,) + _T3_TAIL,
            T3_COLUMNS,
        ),
        "4": _T4,
    },
    outcome_rows=_T3_OUTCOMES_COMMON + _OTHER_MEMBERS,
    variants={"other": _OTHER_MEMBERS},
)

SCHEMA_2019 = Schema(
    name="2019",
    tables={
        "2": TableSpec("2", "主动公开政府信息情况", _T2_ROWS_2019, _T2_COLUMNS_2019),
        "3": TableSpec("3", "收到和处理政府信息公开申请情况", _T3_HEAD + (_T3_OTHER_SINGLE,) + _T3_TAIL, T3_COLUMNS),
        "4": _T4,
    },
    outcome_rows=_T3_OUTCOMES_COMMON + ("other",),
)

# ---------------------------------------------------------------------------------------------------
# The hard 勾稽 identities (domain.md §1c), as data. checks.py turns them into results; tables.py uses
# them to choose between column alignments.

SUM_RULES = (
    SumRule(
        "R1",
        "3",
        "columns",
        ("new_received", "carried_over"),
        ("total", "carry_forward"),
        "新收＋上年结转＝办理总计＋结转下年",
    ),
    SumRule("R2", "3", "columns", ("total",), (OUTCOMES,), "办理总计＝各项办理结果之和"),
    SumRule(
        "R3",
        "3",
        "rows",
        ("total",),
        ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org"),
        "总计＝自然人＋五类法人或其他组织",
    ),
    SumRule(
        "R4",
        "4",
        "rows",
        ("total",),
        ("upheld", "corrected", "other", "pending"),
        "总计＝结果维持＋结果纠正＋其他结果＋尚未审结",
    ),
)
