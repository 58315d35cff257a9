"""Built-in checklist KT1-PROVIDER: inspecting a post office that provides the KT1 service.

Content of /work/shared/domain/kt1-checklists.md (A1-K3, texts verbatim) plus the duties the
Cần Thơ and Hải Phòng directives add (E4, G5, G6, I4, I5). A ratio is two numbers and a
`gte_item` rule; a date or a descriptive count is a detail beside a yes/no judgement that
carries the severity. Companion items get a suffix (`G1.1`); the original ID keeps the severity.
"""

from __future__ import annotations

from typing import Any

from inspection.checklists.authoring import count, detail, ref, yes_no
from inspection.checklists.citations import (
    LUAT117,
    ND63,
    ND63_SUMMARY,
    can_tho,
    hai_phong,
    luat29,
    luat_buu_chinh,
    nd26,
    nd174,
    qd32,
    qd32_summary,
    qd32_summary_article_unverified,
    qd55,
    tt15,
    tt16,
)

CODE = "KT1-PROVIDER"
TITLE = "Kiểm tra việc cung cấp dịch vụ bưu chính KT1"
TARGET_KIND = "kt1_provider"

SECTION_A = {"code": "A", "title": "Chấp nhận bưu gửi KT1", "items": [
    yes_no("A1", "Bưu gửi KT1 được kiểm tra, đối chiếu số lượng, tình trạng vỏ bọc và niêm "
           "phong trước khi chấp nhận; sai sót được yêu cầu nơi gửi khắc phục trước khi ký nhận",
           severity="high", refs=[qd32(), luat29("Đ.13(6)"), LUAT117, nd26("Đ.4(3)"), ND63]),
    yes_no("A2", "Bưu gửi KT1 được đóng dấu KT1, gắn mã vạch và quản lý định vị trên hệ thống",
           severity="high", photo=True, refs=[qd32_summary_article_unverified(
               "Yêu cầu xác nhận qua bản tin tóm tắt; điều, khoản chưa xác minh")]),
    yes_no("A3", "Dấu ngày/thời gian, địa điểm chấp nhận được thể hiện đúng trên bưu gửi hoặc "
           "chứng từ chấp nhận", severity="medium", refs=[nd174("Đ.9(1)-(2)")]),
    yes_no("A4", "Bưu gửi mang BMNN: bì ngoài đóng đúng dấu ký hiệu độ mật (A/B/C), không thể "
           "hiện nội dung mật bên ngoài; Tuyệt mật có hai lớp bì",
           severity="critical", photo=True, refs=[
               nd26("Đ.4(1)(b)"), ND63,
               ref("Thông tư 24/2020/TT-BCA", "Mẫu 03", "verified",
                   note="Cần kiểm tra còn hiệu lực sau Nghị định 63/2026/NĐ-CP")]),
    yes_no("A5", "Bì, gói đạt yêu cầu (giấy dai, không nhìn thấu, hồ dán khó bóc); trường hợp "
           "vỏ bọc rách, hư hại đã kiểm kê, lập biên bản và gói bọc lại",
           severity="high", photo=True,
           refs=[nd26("Đ.4(1)(b)"), luat_buu_chinh("Đ.13(2)"), nd174("Đ.12(1)")]),
    count("A6", "Chỉ chấp nhận bưu gửi KT1 của đối tượng được phục vụ theo danh mục/phụ lục; "
          "số trường hợp ngoài danh mục", rule={"max": 0}, severity="medium",
          refs=[qd32(article="Phụ lục")]),
    count("A7.1", "Số bưu gửi KT1 được chọn kiểm tra mẫu trên sổ/phần mềm chấp nhận (n); ở mục "
          "A7 ghi số bưu gửi trong mẫu được ghi đủ thông tin", refs=[]),
    count("A7", "Sổ/phần mềm chấp nhận bưu gửi KT1 ghi đủ số hiệu, nơi gửi, nơi nhận, ký hiệu "
          "độ mật/độ khẩn, thời điểm chấp nhận (kiểm tra mẫu n bưu gửi)",
          rule={"gte_item": "A7.1"}, severity="medium", refs=[tt15(), tt16("Đ.12")]),
]}

SECTION_B = {"code": "B", "title": "Niêm phong, giao nhận, áp tải", "items": [
    yes_no("B1", "Túi, hộp chứa bưu gửi KT1 bằng vật liệu dai bền, chống cháy, chống thấm, "
           "chống vỡ; được niêm phong hoặc khóa trong suốt quá trình vận chuyển; số niêm phong "
           "ghi trên phiếu/biên bản giao nhận", severity="critical", photo=True,
           refs=[tt16("Đ.9(5)"), qd32(note="Quy định hiện hành chưa xác minh"),
                 luat29("Đ.13(3)"), LUAT117]),
    yes_no("B2", "Mỗi khâu giao nhận có sổ/phiếu/biên bản giao nhận ghi giờ, số lượng, tình "
           "trạng niêm phong, có chữ ký bên giao và bên nhận", severity="high",
           refs=[luat29("Đ.13(6)"), LUAT117, qd32()]),
    yes_no("B3", "Thiết bị định vị được gắn và hoạt động đối với túi/hộp chứa bưu gửi Tuyệt mật "
           "hoặc theo yêu cầu", severity="high",
           refs=[qd32_summary("Yêu cầu “định vị”"), tt16("Đ.9(5)")]),
    count("B4.1", "Số vụ bưu gửi có dấu hiệu bị bóc mở, tráo đổi, mất, hư hỏng trong kỳ; ở mục "
          "B4 ghi số vụ đã được lập biên bản và báo cáo ngay", refs=[]),
    count("B4", "Bưu gửi có dấu hiệu bị bóc mở, tráo đổi, mất, hư hỏng đã được lập biên bản và "
          "báo cáo ngay (số vụ trong kỳ)", rule={"gte_item": "B4.1"}, severity="critical",
          refs=[luat_buu_chinh("Đ.13(2), Đ.14(4)"), nd26("Đ.4(2)(c)"), nd174("Đ.12(4)")]),
]}

SECTION_C = {"code": "C", "title": "Nhân sự", "items": [
    count("C1", "Số người lao động trực tiếp tham gia cung cấp dịch vụ KT1 (có danh sách kèm "
          "theo)", refs=[qd32(), tt16("Đ.16(3)", "Nội dung báo cáo")]),
    count("C2", "Số người đã được thẩm tra tiêu chuẩn chính trị (có văn bản của cơ quan Công an) "
          "/ tổng số", rule={"gte_item": "C1"}, severity="critical",
          refs=[qd32_summary_article_unverified(
              "Vai trò của Công an được xác nhận qua bản tin về triển khai tại Cà Mau; điều, "
              "khoản chưa xác minh"), qd55("Đ.10(5), Đ.14(3)")]),
    yes_no("C3", "Hồ sơ lý lịch rõ ràng của người lao động được lưu giữ đầy đủ",
           severity="high", refs=[qd32_summary()]),
    count("C4", "Người lao động đã ký cam kết bảo vệ bí mật nhà nước bằng văn bản",
          rule={"gte_item": "C1"}, severity="high",
          refs=[qd55("Đ.6(4)"), qd32(note="Yêu cầu hiện hành chưa xác minh")]),
    yes_no("C5", "Người lao động đã được đào tạo, tập huấn nghiệp vụ bưu chính và an toàn, an "
           "ninh KT1 (ngày tập huấn gần nhất)", severity="medium", refs=[qd32_summary()]),
    detail("C5.1", "Ngày tập huấn gần nhất", "date"),
    yes_no("C6", "Có văn bản phân công người chịu trách nhiệm về hoạt động cung cấp dịch vụ KT1",
           severity="medium", refs=[tt16("Đ.9(2)(c)")]),
]}

SECTION_D = {"code": "D", "title": "Trang thiết bị, công cụ hỗ trợ", "items": [
    yes_no("D1", "Người chuyên trách vận chuyển, phát KT1 được trang bị công cụ hỗ trợ; có giấy "
           "phép trang bị/sử dụng, chứng chỉ huấn luyện còn hiệu lực và sổ theo dõi cấp phát, "
           "thu hồi, bảo quản (số lượng, loại)", severity="high", photo=True,
           refs=[qd32_summary(), ref("Luật 42/2024/QH15", None, "unverified",
                                     note="Chưa xác minh điều, khoản")]),
    detail("D1.1", "Số lượng công cụ hỗ trợ được trang bị", "number"),
    detail("D1.2", "Loại công cụ hỗ trợ được trang bị", "text"),
    yes_no("D2", "Trang thiết bị chuyên dùng (máy quét mã vạch, phần mềm quản lý, camera giám "
           "sát) hoạt động bình thường", severity="medium", photo=True,
           refs=[qd32_summary("Yêu cầu “trang thiết bị chuyên dùng”")]),
    yes_no("D3", "Hệ thống máy tính, phần mềm phục vụ KT1 bảo đảm an toàn thông tin; không lưu "
           "nội dung BMNN trên máy kết nối Internet", severity="high",
           refs=[tt16("Đ.9(8)"), luat29("Đ.5(5)"), LUAT117]),
]}

SECTION_E = {"code": "E", "title": "Cơ sở khai thác và nơi lưu giữ", "items": [
    yes_no("E1", "Có bưu cục/khu vực khai thác KT1 riêng biệt", severity="high", photo=True,
           refs=[tt16("Đ.9(2)(a)(b)")]),
    yes_no("E2", "Có nội quy cơ sở khai thác KT1 được niêm yết và kiểm soát chặt chẽ người ra "
           "vào (sổ ra vào, thẻ, camera)", severity="high", photo=True, refs=[qd32_summary()]),
    yes_no("E3", "Nơi lưu giữ bưu gửi KT1 chờ phát bảo đảm an toàn (tủ/két có khóa, phòng chống "
           "cháy nổ, đột nhập)", severity="high", photo=True,
           refs=[ref("Luật Bảo vệ bí mật nhà nước 29/2018/QH14", "Đ.12(3)", "superseded",
                     effective_to="2026-02-28",
                     note="Áp dụng tương tự; thay bằng Luật 117/2025/QH15 từ 01/3/2026"),
                 LUAT117]),
    yes_no("E4", "Triển khai các biện pháp phòng ngừa, khắc phục kịp thời khi xảy ra sự cố "
           "trong cung cấp dịch vụ bưu chính KT1", severity="high",
           refs=[hai_phong("Mục 5"), can_tho("Mục 5 điểm b")]),
]}

SECTION_F = {"code": "F", "title": "Phương tiện và tuyến vận chuyển", "items": [
    yes_no("F1", "Vận chuyển, phát bằng phương tiện chuyên dùng (thùng xe có khóa, chống cháy, "
           "chống thấm); khi dùng phương tiện khác có nhân viên áp tải suốt hành trình",
           severity="high", photo=True, refs=[qd32_summary(), tt16("Đ.9(4),(6)")]),
    yes_no("F2", "Bưu gửi theo độ mật, độ khẩn được ưu tiên chấp nhận, vận chuyển, phát; bố trí "
           "lực lượng bảo vệ khi có yêu cầu (số lần trong kỳ)", severity="medium",
           refs=[qd32_summary()]),
    detail("F2.1", "Số lần bố trí lực lượng bảo vệ trong kỳ", "number"),
]}

SECTION_G = {"code": "G", "title": "Chất lượng dịch vụ, chỉ tiêu thời gian", "items": [
    count("G1.1", "Số bưu gửi KT1 được chọn kiểm tra mẫu chỉ tiêu thời gian toàn trình; ở mục "
          "G1 ghi số bưu gửi trong mẫu phát đúng chỉ tiêu", refs=[]),
    count("G1", "Tỷ lệ bưu gửi KT1 phát đúng chỉ tiêu thời gian toàn trình (kiểm tra mẫu: số "
          "bưu gửi, số đạt)", rule={"gte_item": "G1.1"}, severity="high",
          refs=[tt15(), qd32(note="Chỉ tiêu hiện hành chưa xác minh"),
                tt16(None, "Chỉ tiêu năm 2017: J+1,5/J+1 nội tỉnh, J+3,5/J+2,5 liên tỉnh"),
                nd174("Đ.15(3)")]),
    count("G2.1", "Số bưu gửi KT1 được kiểm tra về độ an toàn; ở mục G2 ghi số bưu gửi an toàn "
          "(không suy suyển, hư hỏng)", refs=[]),
    count("G2", "Tỷ lệ bưu gửi an toàn (không suy suyển, hư hỏng)", rule={"gte_item": "G2.1"},
          severity="high", refs=[tt16("Đ.4(1)", "Chỉ tiêu 100%")]),
    yes_no("G3", "Cung cấp dịch vụ 24/7 kể cả ngày lễ, Tết; tần suất phát theo quy định",
           severity="medium", refs=[tt16("Đ.4(2)(3)")]),
    count("G4.1", "Số khiếu nại tiếp nhận trong kỳ; ở mục G4 ghi số khiếu nại được giải quyết "
          "đúng thời hạn", refs=[]),
    count("G4", "Số khiếu nại tiếp nhận / số giải quyết đúng thời hạn",
          rule={"gte_item": "G4.1"}, severity="medium", refs=[tt16("Đ.4(5)(6)")]),
    yes_no("G5", "Hướng dẫn, cung cấp đầy đủ thông tin về dịch vụ bưu chính KT1 cho các cơ "
           "quan, tổ chức", severity="medium",
           refs=[can_tho("Mục 5 điểm c"), hai_phong("Mục 5")]),
    yes_no("G6", "Có phương án cung cấp dịch vụ bưu chính KT1 phục vụ cơ quan Đảng, Nhà nước "
           "trên địa bàn đến tất cả các xã, phường, đặc khu", severity="medium",
           refs=[hai_phong("Mục 5")]),
]}

SECTION_H = {"code": "H", "title": "Giá cước", "items": [
    yes_no("H1", "Áp dụng đúng bảng giá cước dịch vụ KT1 do Bộ ban hành; niêm yết công khai giá "
           "cước", severity="medium", photo=True,
           refs=[qd55("Đ.8(2), Đ.12(2)"),
                 ref("Văn bản quy định giá cước dịch vụ KT1", None, "unverified",
                     note="Chưa xác định văn bản hiện hành"),
                 nd174("Đ.15(3)")]),
    yes_no("H2", "Không thu cước đối với đối tượng được miễn theo quy định; đối soát sản lượng, "
           "xác nhận chất lượng với đối tượng sử dụng", severity="low",
           refs=[qd55("Đ.9(9), Đ.11(2),(4)")]),
]}

SECTION_I = {"code": "I", "title": "Hồ sơ, lưu trữ, báo cáo", "items": [
    yes_no("I1", "Lưu trữ tài liệu về bưu gửi KT1 đủ thời hạn (giấy, điện tử)", severity="medium",
           refs=[tt16("Đ.13", "Giấy ≥ 2 năm, điện tử ≥ 3 năm")]),
    yes_no("I2", "Báo cáo năm về cung cấp dịch vụ KT1 gửi Sở KH&CN trước ngày 10/12 (ngày nhận, "
           "đủ nội dung)", severity="medium",
           refs=[can_tho("Mục 5 điểm đ"), nd174("Đ.10(3)(d), (4)(c), (5)(c)")]),
    detail("I2.1", "Ngày Sở Khoa học và Công nghệ nhận báo cáo năm", "date"),
    count("I3.1", "Số sự cố an ninh, an toàn trong cung cấp dịch vụ KT1 trong kỳ; ở mục I3 ghi "
          "số sự cố được báo cáo kịp thời", refs=[]),
    count("I3", "Sự cố an ninh, an toàn trong cung cấp dịch vụ KT1 được báo cáo kịp thời (số sự "
          "cố, ngày báo cáo)", rule={"gte_item": "I3.1"}, severity="high",
          refs=[tt16("Đ.10(7), Đ.11(7)")]),
    detail("I3.2", "Ngày báo cáo từng sự cố", "text"),
    yes_no("I4", "Thường xuyên tự kiểm tra, đánh giá mức độ bảo đảm an ninh, an toàn và chất "
           "lượng dịch vụ trong cung cấp dịch vụ bưu chính KT1", severity="medium",
           refs=[can_tho("Mục 5 điểm c"), hai_phong("Mục 5")]),
    detail("I4.1", "Ngày tự kiểm tra gần nhất", "date"),
    yes_no("I5", "Bảo đảm bí mật các thông tin liên quan đến đối tượng sử dụng dịch vụ bưu chính "
           "KT1", severity="high", refs=[hai_phong("Mục 5"), nd174("Đ.12(3)(c)")]),
]}

SECTION_J = {"code": "J", "title": "Cơ quan sử dụng dịch vụ", "items": [
    count("J1", "Cơ quan gửi tài liệu, vật chứa BMNN qua dịch vụ bưu chính KT1, không gửi qua "
          "dịch vụ bưu chính thông thường/chuyển phát thương mại (số trường hợp phát hiện sai)",
          rule={"max": 0}, severity="critical",
          refs=[qd55("Đ.11(1)"), qd32(note="Quy định tương đương chưa xác minh"),
                luat29("Đ.13(5), Đ.5(2)"), LUAT117,
                ref("Nghị định 282/2025/NĐ-CP", None, "unverified",
                    note="Chưa xác minh điều, khoản"),
                can_tho("Mục 1 điểm b"), hai_phong("Mục 4")]),
    yes_no("J2", "Sổ đăng ký BMNN đi/đến và Sổ chuyển giao BMNN (hoặc hệ thống quản lý văn bản "
           "điện tử mật) ghi đầy đủ", severity="high",
           refs=[nd26("Đ.4(1)(a),(c),(2)(a)"), ND63_SUMMARY]),
    yes_no("J3", "Cơ quan đã chỉ định đầu mối nhận bưu gửi KT1 ngoài giờ, ngày nghỉ và thông báo "
           "cho bưu điện", severity="low", refs=[tt16("Đ.18(5)")]),
]}

SECTION_K = {"code": "K", "title": "Kết luận phiên kiểm tra", "items": [
    detail("K1", "Ý kiến giải trình của đơn vị được kiểm tra", "text",
           refs=[ref("Nghị định 217/2025/NĐ-CP", None, "unverified",
                     note="Trình tự kiểm tra chuyên ngành; chưa xác minh điều, khoản")]),
    detail("K2", "Có hành vi vi phạm hành chính cần lập biên bản VPHC không; nếu có, số biên bản "
           "và người có thẩm quyền xử lý", "text", required=True,
           refs=[ref("Luật Xử lý vi phạm hành chính", "Đ.58", "verified"),
                 nd174("Đ.104-114")]),
    detail("K3", "Kiến nghị, yêu cầu khắc phục và thời hạn", "text"),
]}

REPRESENTATIVE_NAME = "L1"
REPRESENTATIVE_TITLE = "L2"
REPRESENTATIVE_SIGNATURE = "L3"
MEMBER_SIGNATURES = {"skhcn": "L4", "police": "L5"}
"""The closing items the inspection record prints (version 2 on): who spoke for the site
and the signatures, one per agency of the joint team (keyed by `User.agency`). The name and
title are required to submit; a signature is not: a representative may refuse to sign (the
record then says so), and a record without a signature prints the line to sign by hand."""

SECTION_L = {"code": "L", "title": "Ký biên bản", "items": [
    detail(REPRESENTATIVE_NAME, "Họ và tên người đại diện đơn vị được kiểm tra", "text",
           required=True),
    detail(REPRESENTATIVE_TITLE, "Chức vụ của người đại diện đơn vị được kiểm tra", "text",
           required=True),
    detail(REPRESENTATIVE_SIGNATURE, "Chữ ký của người đại diện đơn vị được kiểm tra",
           "signature", required=False),
    detail(MEMBER_SIGNATURES["skhcn"], "Chữ ký thành viên đoàn kiểm tra – Sở KH&CN",
           "signature", required=False),
    detail(MEMBER_SIGNATURES["police"], "Chữ ký thành viên đoàn kiểm tra – Công an",
           "signature", required=False),
]}

SECTIONS_V1: list[dict[str, Any]] = [
    SECTION_A, SECTION_B, SECTION_C, SECTION_D, SECTION_E, SECTION_F, SECTION_G, SECTION_H,
    SECTION_I, SECTION_J, SECTION_K,
]
SECTIONS: list[dict[str, Any]] = [*SECTIONS_V1, SECTION_L]
"""The current version's content: version 1 and the closing section L."""

VERSIONS: tuple[list[dict[str, Any]], ...] = (SECTIONS_V1, SECTIONS)
"""Every published version's content, oldest first (version n is `VERSIONS[n - 1]`); a
published version never changes: new content is a new entry."""
