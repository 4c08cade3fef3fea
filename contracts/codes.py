"""Code tables of the CEB messages (reference: ceb-messages.md §5.2, §6)."""

from __future__ import annotations

from datetime import date, datetime

TRADE_MODES: dict[str, str] = {
    "9610": "跨境贸易电子商务 (B2C retail export / direct-purchase import)",
    "1210": "保税跨境贸易电子商务 (bonded e-commerce)",
    "1239": "保税跨境贸易电子商务A (bonded e-commerce A)",
    "9710": "跨境电商B2B直接出口 (B2B direct export)",
    "9810": "跨境电商出口海外仓 (export to an overseas warehouse)",
    "9661": "9610 export goods returned",
    "1261": "special-zone export goods returned",
}

TRAF_MODES: dict[str, str] = {
    "0": "非保税区 non-bonded area",
    "1": "监管仓库 supervised warehouse",
    "2": "江海运输 waterway",
    "3": "铁路运输 rail",
    "4": "汽车运输 road",
    "5": "航空运输 air",
    "6": "邮件运输 post",
    "7": "保税区 bonded zone",
    "8": "保税仓库 bonded warehouse",
    "9": "其它运输 other",
    "A": "全部运输 all",
    "H": "边境特殊海关作业区 border special zone",
    "W": "物流中心 logistics centre",
    "X": "物流园区 logistics park",
    "Y": "保税港区 bonded port",
    "Z": "出口加工区 export processing zone",
    "T": "综合实验区 comprehensive pilot zone",
    "L": "旅客携带 carried by passengers",
    "G": "固定设施运输 fixed installations",
}

CURRENCIES: dict[str, str] = {
    "110": "HKD", "113": "IRR", "116": "JPY", "118": "KWD", "121": "MOP", "122": "MYR",
    "127": "PKR", "129": "PHP", "132": "SGD", "136": "THB", "142": "CNY", "143": "TWD",
    "300": "EUR", "302": "DKK", "303": "GBP", "326": "NOK", "330": "SEK", "331": "CHF",
    "501": "CAD", "502": "USD", "601": "AUD", "609": "NZD",
}
CNY = "142"

COUNTRIES: dict[str, str] = {
    "110": "Hong Kong", "111": "India", "112": "Indonesia", "116": "Japan", "121": "Macao",
    "122": "Malaysia", "129": "Philippines", "132": "Singapore", "133": "Korea",
    "136": "Thailand", "138": "UAE", "141": "Vietnam", "142": "China", "143": "Taiwan",
    "301": "Belgium", "302": "Denmark", "303": "United Kingdom", "304": "Germany",
    "305": "France", "307": "Italy", "309": "Netherlands", "312": "Spain", "315": "Austria",
    "330": "Sweden", "331": "Switzerland", "344": "Russia", "410": "Brazil", "429": "Mexico",
    "501": "Canada", "502": "United States", "601": "Australia", "609": "New Zealand",
    "701": "unknown", "999": "neutral packaging origin",
}


def is_country(code: str) -> bool:
    """A 3-digit customs country code: 1xx Asia .. 6xx Oceania, 701, 999."""
    return code in COUNTRIES or (len(code) == 3 and code.isdigit() and 101 <= int(code) <= 699)


_UNIT_NAMES = (
    "001 台,002 座,003 辆,004 艘,005 架,006 套,007 个,008 只,009 头,010 张,011 件,012 支,"
    "013 枝,014 根,015 条,016 把,017 块,018 卷,019 副,020 片,021 组,022 份,023 幅,025 双,"
    "026 对,027 棵,028 株,029 井,030 米,031 盘,032 平方米,033 立方米,034 筒,035 千克,036 克,"
    "037 盆,038 万个,039 具,040 百副,041 百支,042 百把,043 百个,044 百片,045 刀,046 疋,"
    "047 公担,048 扇,049 百枝,050 千只,051 千块,052 千盒,053 千枝,054 千个,055 亿支,"
    "056 亿个,057 万套,058 千张,059 万张,060 千伏安,061 千瓦,062 千瓦时,063 千升,067 英尺,"
    "070 吨,071 长吨,072 短吨,073 司马担,074 司马斤,075 斤,076 磅,077 担,078 英担,079 短担,"
    "080 两,081 市担,083 盎司,084 克拉,085 市尺,086 码,088 英寸,089 寸,095 升,096 毫升,"
    "097 英加仑,098 美加仑,099 立方英尺,101 立方尺,110 平方码,111 平方英尺,112 平方尺,"
    "115 英制马力,116 公制马力,118 令,120 箱,121 批,122 罐,123 桶,124 扎,125 包,126 箩,"
    "127 打,128 筐,129 罗,130 匹,131 册,132 本,133 发,134 枚,135 捆,136 袋,139 粒,140 盒,"
    "141 合,142 瓶,143 千支,144 万双,145 万粒,146 千粒,147 千米,148 千英尺,163 部"
)
UNITS: dict[str, str] = dict(item.split(" ", 1) for item in _UNIT_NAMES.split(","))

WRAP_TYPES: dict[str, str] = {
    "1": "木箱 wooden case", "2": "纸箱 carton", "3": "桶装 drum", "4": "散装 bulk",
    "5": "托盘 pallet", "6": "包 bale/bag", "7": "其它 other",
}

# returnStatus (ceb-messages.md §5.2)
RETURN_STATUS: dict[str, str] = {
    "1": "电子口岸已暂存",
    "2": "电子口岸申报中",
    "3": "发送海关成功",
    "4": "发送海关失败",
    "100": "海关退单",
    "120": "海关入库",
    "300": "人工审核",
    "399": "海关审结",
    "500": "查验",
    "501": "扣留移送通关",
    "502": "扣留移送缉私",
    "503": "扣留移送法规",
    "599": "其它扣留",
    "700": "退运",
    "800": "放行",
    "899": "结关",
}

# The negative code of a CEB900 format-validation receipt (the spec leaves the value open).
FORMAT_ERROR_STATUS = "-999999"

TIME_FORMATS: dict[int, str] = {8: "YYYYMMDD", 14: "YYYYMMDDhhmmss", 17: "yyyyMMddHHmmssfff"}


def is_ceb_time(value: str, length: int) -> bool:
    """True if ``value`` is a valid CEB date/time string of ``length`` characters."""
    if len(value) != length or not value.isdigit() or not value.isascii():
        return False
    try:  # the calendar check, without strptime (this runs for every time on intake)
        if length == 8:
            date(int(value[:4]), int(value[4:6]), int(value[6:8]))
        else:
            datetime(int(value[:4]), int(value[4:6]), int(value[6:8]), int(value[8:10]),
                     int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return True
