from io import BytesIO

from pypdf import PdfReader

from zhijiao.core import pdf


def test_chinese_text_and_tables_come_out_as_searchable_pdf_text():
    data = pdf.render("三方协议", [
        pdf.Heading("用人单位"),
        pdf.Fields([("单位名称", "示例科技有限公司"), ("签约时间", "2026-06-01 <b>")]),
        pdf.Grid(["学校", "就业率"], [["示例大学", "91.2%"]]),
        pdf.Paragraph("本协议一式三份。", small=True),
    ])
    assert data.startswith(b"%PDF")
    text = PdfReader(BytesIO(data)).pages[0].extract_text()
    for expected in ("三方协议", "示例科技有限公司", "就业率", "<b>"):
        assert expected in text
