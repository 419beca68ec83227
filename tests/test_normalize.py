from classifiers.normalize import clitic_forms, content_words, normalize


def test_diacritics_tatweel_and_letter_forms_fold_together():
    assert normalize("مَجْلِسُ الأَمْنِ") == normalize("مجلس الامن")
    assert normalize("مـجـلـس") == "مجلس"
    assert normalize("إدلب") == normalize("ادلب") == normalize("آدلب")
    assert normalize("ٱلرحمٰن") == normalize("الرحمن")  # wasla and dagger alef
    assert normalize("سورية") == normalize("سوريه")  # ta marbuta
    assert normalize("مستشفى") == normalize("مستشفي")  # alef maqsura
    assert normalize("مسؤول") == normalize("مسوول") and normalize("رئيس") == normalize("رييس")


def test_digits_punctuation_invisible_marks_and_case():
    assert normalize("٢٠٢٥ ۱۴") == "2025 14"
    assert normalize("«قال»، ثم؟") == '"قال", ثم?'
    assert normalize("مجلس\u200f الأمن\u200b") == normalize("مجلس الأمن")
    assert normalize("UN Security COUNCIL") == "un security council"
    assert normalize("ﻻ") == "لا"  # presentation form


def test_clitic_forms_strip_conjunctions_prepositions_and_article():
    assert "مجلس" in clitic_forms(normalize("ومجلس"))
    assert "مجلس" in clitic_forms(normalize("لمجلس"))
    assert "مجلس" in clitic_forms(normalize("بالمجلس"))
    assert "الامن" in clitic_forms(normalize("للأمن"))
    assert "الامن" in clitic_forms(normalize("وبالأمن"))
    assert "قصف" in clitic_forms(normalize("فالقصف"))
    assert "اجتماع" in clitic_forms(normalize("اجتماعاً"))
    assert "طاري" in clitic_forms(normalize("وطارئا"))


def test_clitic_forms_keep_short_words_whole():
    assert clitic_forms("بان") == ("بان",)  # too short to carry a clitic
    assert "ل" not in clitic_forms("لل")


def test_an_underscore_parts_the_words_of_a_tag():
    assert content_words("فرض #مجلس_الأمن حظراً") == content_words("فرض مجلس الأمن حظراً")
