// The tokenizer: words and punctuation of any script, with byte spans into the text.
#include <attn/tokenizer.h>

#include <QTest>

#include <string>
#include <vector>

Q_DECLARE_METATYPE(std::vector<std::string>)

namespace {

std::vector<std::string> texts(const std::vector<attn::Token>& tokens)
{
    std::vector<std::string> result;
    for (const auto& token : tokens)
        result.push_back(token.text);
    return result;
}

QString joined(const std::vector<std::string>& parts)
{
    QStringList list;
    for (const auto& part : parts)
        list << QString::fromStdString(part);
    return list.join(u'|');
}

} // namespace

class TestTokenizer : public QObject {
    Q_OBJECT

private slots:
    void splitsWordsAndPunctuation_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<std::vector<std::string>>("expected");
        QTest::newRow("tutorial sentence") << u"I love you"_qs << std::vector<std::string>{"I", "love", "you"};
        QTest::newRow("punctuation is its own token")
            << u"The cat, tired."_qs << std::vector<std::string>{"The", "cat", ",", "tired", "."};
        QTest::newRow("apostrophe inside a word stays") << u"don't stop"_qs << std::vector<std::string>{"don't", "stop"};
        QTest::newRow("decimal number stays whole") << u"pi is 3.14."_qs << std::vector<std::string>{"pi", "is", "3.14", "."};
        QTest::newRow("accented latin") << u"café crème"_qs << std::vector<std::string>{"café", "crème"};
        QTest::newRow("arabic words, right to left")
            << u"مرحبا بالعالم؟"_qs << std::vector<std::string>{"مرحبا", "بالعالم", "؟"};
        QTest::newRow("hebrew") << u"שלום עולם"_qs << std::vector<std::string>{"שלום", "עולם"};
        QTest::newRow("chinese: one token per character")
            << u"我爱你。"_qs << std::vector<std::string>{"我", "爱", "你", "。"};
        QTest::newRow("emoji is a token") << u"I ❤️ 🐈!"_qs << std::vector<std::string>{"I", "❤️", "🐈", "!"};
        QTest::newRow("zwj family is one token")
            << u"👨‍👩‍👧 ok"_qs << std::vector<std::string>{"👨‍👩‍👧", "ok"};
        QTest::newRow("skin tone stays with its emoji") << u"👍🏽👍"_qs << std::vector<std::string>{"👍🏽", "👍"};
        QTest::newRow("two flags") << u"🇫🇷🇩🇪"_qs << std::vector<std::string>{"🇫🇷", "🇩🇪"};
        QTest::newRow("keycap stays whole") << u"#\ufe0f\u20e3 1\ufe0f\u20e3"_qs
                                            << std::vector<std::string>{"#\ufe0f\u20e3", "1\ufe0f\u20e3"};
        QTest::newRow("thai: vowel signs and tone marks stay with their letter")
            << u"แมวนั่ง"_qs << std::vector<std::string>{"แ", "ม", "ว", "นั่", "ง"};
        QTest::newRow("kana: a combining voiced mark stays with its kana")
            << u"か\u3099き"_qs << std::vector<std::string>{"か\u3099", "き"};
        QTest::newRow("an accent after punctuation stays with it")
            << u"a.\u0301b"_qs << std::vector<std::string>{"a", ".\u0301", "b"};
        QTest::newRow("white space of all kinds")
            << u"a\tb\nc\u00a0d\u3000e"_qs << std::vector<std::string>{"a", "b", "c", "d", "e"};
        QTest::newRow("empty") << QString() << std::vector<std::string>{};
        QTest::newRow("only spaces") << u"   \n "_qs << std::vector<std::string>{};
    }

    void splitsWordsAndPunctuation()
    {
        QFETCH(QString, text);
        QFETCH(std::vector<std::string>, expected);
        const auto tokens = attn::tokenize(text.toStdString());
        QCOMPARE(joined(texts(tokens)), joined(expected));
    }

    void spansPointAtTheTokensBytes()
    {
        const std::string text = "Der Bär, 🐈 und 我.";
        for (const auto& token : attn::tokenize(text)) {
            QVERIFY(token.begin < token.end);
            QVERIFY(token.end <= text.size());
            QCOMPARE(text.substr(token.begin, token.end - token.begin), token.text);
        }
    }

    void invalidUtf8BecomesReplacementCharacters_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("replacements");
        QTest::newRow("lone continuation byte") << QByteArray("a\x80 b") << 1;
        QTest::newRow("cut-off sequence at the end") << QByteArray("ok \xe2\x82") << 1;
        QTest::newRow("overlong slash") << QByteArray("x \xc0\xaf y") << 2;
        QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << 3;
        QTest::newRow("past U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << 4;
        QTest::newRow("0xff") << QByteArray("\xff\xfe") << 2;
        QTest::newRow("truncated four-byte emoji") << QByteArray("hi \xf0\x9f\x90") << 1;
    }

    void invalidUtf8BecomesReplacementCharacters()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, replacements);
        const std::string text(bytes.constData(), std::size_t(bytes.size()));
        const auto tokens = attn::tokenize(text);
        int found = 0;
        for (const auto& token : tokens) {
            QVERIFY2(QString::fromUtf8(token.text.data(), qsizetype(token.text.size())).toUtf8()
                         == QByteArray(token.text.data(), qsizetype(token.text.size())),
                     "every token must be valid UTF-8");
            for (std::size_t at = token.text.find("\xEF\xBF\xBD"); at != std::string::npos;
                 at = token.text.find("\xEF\xBF\xBD", at + 1))
                ++found;
            QVERIFY(token.end <= text.size());
        }
        QCOMPARE(found, replacements);
    }

    void twentyThousandWordsTokenizeQuickly()
    {
        std::string text;
        for (int i = 0; i < 20000; ++i)
            text += "word ";
        QCOMPARE(attn::tokenize(text).size(), std::size_t(20000));
    }
};

QTEST_GUILESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
