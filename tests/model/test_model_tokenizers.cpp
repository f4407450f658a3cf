// GPT-2 byte-level BPE and BERT WordPiece: ids against the Python transcriptions of the
// reference tokenizers (tests/fixtures/models/expected/tokenizer_cases.json, computed with
// Python's exact Unicode tables), plus hand-checked pieces, display texts and byte spans.
#include "attn/error.h"
#include "attn/model/bpe_tokenizer.h"
#include "attn/model/wordpiece_tokenizer.h"
#include "gpt2_pretokenizer.h"
#include "model_test_util.h"

#include <QFile>
#include <QJsonArray>
#include <QStringList>
#include <QTemporaryDir>

using namespace attn;
using modeltest::fixture;

namespace {

std::vector<int> idsOf(const QJsonArray& array)
{
    std::vector<int> ids;
    for (const auto& v : array)
        ids.push_back(v.toInt());
    return ids;
}

QStringList displayTexts(const Encoding& e)
{
    QStringList texts;
    for (const Token& t : e.tokens)
        texts << QString::fromStdString(t.text);
    return texts;
}

QStringList pieces(std::string_view text)
{
    QStringList out;
    for (const auto& [begin, end] : gpt2Pretokenize(text))
        out << QString::fromUtf8(text.substr(begin, end - begin).data(), qsizetype(end - begin));
    return out;
}

std::shared_ptr<BpeTokenizer> gpt2()
{
    return BpeTokenizer::fromFiles(fixture("gpt2-tiny/vocab.json"), fixture("gpt2-tiny/merges.txt"));
}

std::shared_ptr<WordPieceTokenizer> bert()
{
    return WordPieceTokenizer::fromFiles(fixture("bert-tiny/vocab.txt"), fixture("bert-tiny/tokenizer_config.json"));
}

// The 256 byte tokens of the fixture's vocabulary, nothing merged.
std::unordered_map<std::string, int> byteVocab()
{
    std::unordered_map<std::string, int> vocab;
    const QJsonObject json = modeltest::readJson(fixture("gpt2-tiny/vocab.json"));
    for (auto it = json.begin(); it != json.end(); ++it)
        if (it.value().toInt() < 256) // GPT-2 vocabularies start with the byte symbols
            vocab.emplace(it.key().toStdString(), it.value().toInt());
    return vocab;
}

// The sources are UTF-8; QT_NO_CAST_FROM_ASCII wants the conversion spelled out.
QString u8(const char* text)
{
    return QString::fromUtf8(text);
}

QStringList list(std::initializer_list<const char*> texts)
{
    QStringList out;
    for (const char* t : texts)
        out << QString::fromUtf8(t);
    return out;
}

} // namespace

class TestModelTokenizers : public QObject {
    Q_OBJECT

private slots:
    // --- GPT-2 pre-tokenisation, hand-checked against the pattern's rules
    void gpt2PatternSplitsLikeTheRegex_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("words take their leading space") << u8("Hello world") << list({"Hello", " world"});
        QTest::newRow("contractions split off") << u8("it's we're I'll") << list({"it", "'s", " we", "'re", " I", "'ll"});
        QTest::newRow("spaced apostrophe is punctuation") << u8("a 's") << list({"a", " '", "s"});
        QTest::newRow("two spaces: one stays, one leads") << u8("a  b") << list({"a", " ", " b"});
        QTest::newRow("newlines split one by one before a word") << u8("x\n\ny") << list({"x", "\n", "\n", "y"});
        QTest::newRow("trailing spaces stay together") << u8("end.  ") << list({"end", ".", "  "});
        QTest::newRow("digits and letters part") << u8("abc123def") << list({"abc", "123", "def"});
        QTest::newRow("punctuation run with space") << u8("hi ?!") << list({"hi", " ?!"});
        QTest::newRow("accented letters are letters") << u8("café crème") << list({"café", " crème"});
        QTest::newRow("CJK and Cyrillic are letters") << u8("東京 Привет") << list({"東京", " Привет"});
        QTest::newRow("emoji is other") << u8("ok 🙂") << list({"ok", " 🙂"});
        QTest::newRow("combining mark is not a letter") << u8("x\u0301y") << list({"x", "\u0301", "y"});
        QTest::newRow("Arabic-Indic digit is a number") << u8("a٣") << list({"a", "٣"});
    }
    void gpt2PatternSplitsLikeTheRegex()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, expected);
        QCOMPARE(pieces(text.toStdString()), expected);
    }

    void gpt2PatternKeepsInvalidBytes()
    {
        const std::string text = "a\xff\xfe b";
        const auto spans = gpt2Pretokenize(text);
        QCOMPARE(spans.size(), std::size_t(3)); // "a", "\xff\xfe", " b"
        QCOMPARE(spans[1], std::make_pair(std::size_t(1), std::size_t(3)));
        QCOMPARE(spans.back().second, text.size());
    }

    // --- GPT-2 BPE
    void gpt2IdsMatchReference_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QList<int>>("ids");
        const QJsonObject cases = modeltest::readJson(fixture("expected/tokenizer_cases.json"));
        for (const auto& c : cases[QStringLiteral("gpt2")].toArray()) {
            const QJsonObject o = c.toObject();
            const std::vector<int> ids = idsOf(o[QStringLiteral("ids")].toArray());
            QTest::newRow(qPrintable(o[QStringLiteral("text")].toString().left(24)))
                << o[QStringLiteral("text")].toString() << QList<int>(ids.begin(), ids.end());
        }
    }
    void gpt2IdsMatchReference()
    {
        QFETCH(QString, text);
        QFETCH(QList<int>, ids);
        const Encoding e = gpt2()->encode(text.toStdString());
        QCOMPARE(QList<int>(e.ids.begin(), e.ids.end()), ids);
        const Encoding fromJson =
            BpeTokenizer::fromTokenizerJson(fixture("tokenizer-json/gpt2/tokenizer.json"))->encode(text.toStdString());
        QCOMPARE(fromJson, e);
    }

    // Added tokens' ids are checked as the vocabulary's are: 2e9 once sized a table of two
    // billion names (out of memory), -1 wrote before it.
    void addedTokenIdsAreCheckedAsTheVocabularysAre_data()
    {
        QTest::addColumn<QByteArray>("id");
        QTest::addColumn<QString>("reason");
        QTest::newRow("billions") << QByteArray("2000000000") << u"is 2000000000, past the largest"_qs;
        QTest::newRow("negative") << QByteArray("-1") << u"is -1, not a whole number from 0"_qs;
        QTest::newRow("text") << QByteArray("\"7\"") << u"is \"7\", not a whole number from 0"_qs;
    }
    void addedTokenIdsAreCheckedAsTheVocabularysAre()
    {
        QFETCH(QByteArray, id);
        QFETCH(QString, reason);
        QFile original(QString::fromStdString(fixture("tokenizer-json/gpt2/tokenizer.json")));
        QVERIFY(original.open(QIODevice::ReadOnly));
        QByteArray json = original.readAll();
        json.replace(QByteArray("\"id\": 447"), QByteArray(QByteArray("\"id\": ") + id));
        QTemporaryDir dir;
        QFile changed(dir.filePath(u"tokenizer.json"_qs));
        QVERIFY(changed.open(QIODevice::WriteOnly) && changed.write(json) == json.size());
        changed.close();
        try {
            BpeTokenizer::fromTokenizerJson(changed.fileName().toStdString());
            QFAIL("an added token's bad id was taken");
        } catch (const attn::Error& error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains(u"\"<|endoftext|>\" "_qs + reason), error.what());
        }
    }

    void gpt2SpansCoverEveryByteInOrder_data() { gpt2IdsMatchReference_data(); }
    void gpt2SpansCoverEveryByteInOrder()
    {
        QFETCH(QString, text);
        const std::string utf8 = text.toStdString();
        const Encoding e = gpt2()->encode(utf8);
        std::size_t at = 0;
        for (const Token& t : e.tokens) {
            QCOMPARE(t.begin, at);
            QVERIFY(t.end > t.begin);
            at = t.end;
        }
        QCOMPARE(at, utf8.size());
    }

    void gpt2DisplayTextShowsLeadingSpace()
    {
        const Encoding e = gpt2()->encode("The cat sat on the mat.");
        QCOMPARE(displayTexts(e), list({"The", " cat", " sat", " on", " the", " mat", "."}));
        QCOMPARE(e.tokens[1].begin, std::size_t(3));
        QCOMPARE(e.tokens[1].end, std::size_t(7));
    }

    void gpt2UnseenCharactersFallBackToBytes()
    {
        // The emoji never occurs in the training text of the fixture's merges: four byte tokens,
        // each shown as its byte value because alone it is not UTF-8.
        const Encoding e = gpt2()->encode("🙂");
        QCOMPARE(displayTexts(e), list({"<0xF0>", "<0x9F>", "<0x99>", "<0x82>"}));
        for (std::size_t i = 0; i < 4; ++i) {
            QCOMPARE(e.tokens[i].begin, i);
            QCOMPARE(e.tokens[i].end, i + 1);
        }
    }

    void gpt2MergesApplyLowestRankFirst_data()
    {
        QTest::addColumn<QStringList>("merges");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("bc before ab") << list({"b c", "a b"}) << list({"a", "bc"});
        QTest::newRow("ab then abc") << list({"a b", "b c", "ab c"}) << list({"abc"});
        QTest::newRow("no merges") << list({}) << list({"a", "b", "c"});
    }
    void gpt2MergesApplyLowestRankFirst()
    {
        QFETCH(QStringList, merges);
        QFETCH(QStringList, expected);
        auto vocab = byteVocab();
        std::vector<std::pair<std::string, std::string>> list;
        for (const QString& m : merges) {
            const QStringList parts = m.split(QLatin1Char(' '));
            list.emplace_back(parts[0].toStdString(), parts[1].toStdString());
            vocab.emplace(parts[0].toStdString() + parts[1].toStdString(), int(vocab.size()));
        }
        const BpeTokenizer tokenizer(vocab, list);
        QCOMPARE(displayTexts(tokenizer.encode("abc")), expected);
    }

    void gpt2RefusesVocabularyWithoutByteTokens()
    {
        auto vocab = byteVocab();
        vocab.erase("Ġ"); // the space byte
        QVERIFY_THROWS_EXCEPTION(Error, BpeTokenizer(vocab, {}));
        try {
            BpeTokenizer tokenizer(vocab, {});
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("0x20") != std::string::npos, e.what());
        }
    }

    void gpt2SpecialTokenTypedLiterallyIsOneToken()
    {
        const auto tokenizer = gpt2();
        const Encoding e = tokenizer->encode("a<|endoftext|>b");
        QCOMPARE(displayTexts(e), list({"a", "<|endoftext|>", "b"}));
        QCOMPARE(e.ids[1], tokenizer->vocabularySize() - 1);
    }

    // --- BERT WordPiece
    void bertIdsMatchReference_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QList<int>>("ids");
        const QJsonObject cases = modeltest::readJson(fixture("expected/tokenizer_cases.json"));
        for (const auto& c : cases[QStringLiteral("bert")].toArray()) {
            const QJsonObject o = c.toObject();
            const std::vector<int> ids = idsOf(o[QStringLiteral("ids")].toArray());
            QTest::newRow(qPrintable(o[QStringLiteral("text")].toString().left(24)))
                << o[QStringLiteral("text")].toString() << QList<int>(ids.begin(), ids.end());
        }
    }
    void bertIdsMatchReference()
    {
        QFETCH(QString, text);
        QFETCH(QList<int>, ids);
        const Encoding e = bert()->encode(text.toStdString());
        QCOMPARE(QList<int>(e.ids.begin(), e.ids.end()), ids);
        const Encoding fromJson = WordPieceTokenizer::fromTokenizerJson(fixture("tokenizer-json/bert/tokenizer.json"))
                                      ->encode(text.toStdString());
        QCOMPARE(fromJson, e);
    }

    void bertAddsClassAndSeparator()
    {
        const Encoding e = bert()->encode("the cat");
        QCOMPARE(displayTexts(e), list({"[CLS]", "the", "cat", "[SEP]"}));
        QCOMPARE(e.tokens.front().begin, std::size_t(0));
        QCOMPARE(e.tokens.front().end, std::size_t(0));
        QCOMPARE(e.tokens.back().begin, std::size_t(7));
    }

    void bertContinuationPiecesShowTheirPrefix()
    {
        const Encoding e = bert()->encode("playing");
        QCOMPARE(displayTexts(e), list({"[CLS]", "play", "##ing", "[SEP]"}));
        QCOMPARE(e.tokens[1].begin, std::size_t(0));
        QCOMPARE(e.tokens[1].end, std::size_t(4));
        QCOMPARE(e.tokens[2].begin, std::size_t(4));
        QCOMPARE(e.tokens[2].end, std::size_t(7));
    }

    void bertLowerCasesAndStripsAccentsKeepingSpans()
    {
        const Encoding e = bert()->encode("CAFÉ!");
        QCOMPARE(displayTexts(e), list({"[CLS]", "cafe", "!", "[SEP]"}));
        QCOMPARE(e.tokens[1].end, std::size_t(5)); // É is two bytes
        QCOMPARE(e.tokens[2].begin, std::size_t(5));
    }

    void bertUnknownWordBecomesUnk()
    {
        const Encoding e = bert()->encode("a 🙂 b");
        QCOMPARE(displayTexts(e), list({"[CLS]", "a", "[UNK]", "b", "[SEP]"}));
        QCOMPARE(e.tokens[2].begin, std::size_t(2));
        QCOMPARE(e.tokens[2].end, std::size_t(6));
    }

    void bertSplitsIdeographs()
    {
        const Encoding e = bert()->encode("東京");
        QCOMPARE(displayTexts(e), list({"[CLS]", "東", "京", "[SEP]"}));
    }

    void bertWordOverMaximumLengthIsUnknown_data()
    {
        QTest::addColumn<int>("length");
        QTest::addColumn<QString>("expected");
        QTest::newRow("100 chars: pieces") << 100 << u8("a");
        QTest::newRow("101 chars: [UNK]") << 101 << u8("[UNK]");
    }
    void bertWordOverMaximumLengthIsUnknown()
    {
        QFETCH(int, length);
        QFETCH(QString, expected);
        const Encoding e = bert()->encode(std::string(std::size_t(length), 'a'));
        QCOMPARE(QString::fromStdString(e.tokens[1].text), expected);
    }

    void bertCasedVocabularyKeepsCase_data()
    {
        QTest::addColumn<bool>("lowerCase");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("cased") << false << list({"[CLS]", "Hello", "##s", "!", "[SEP]"});
        QTest::newRow("uncased") << true << list({"[CLS]", "hello", "##s", "!", "[SEP]"});
    }
    void bertCasedVocabularyKeepsCase()
    {
        QFETCH(bool, lowerCase);
        QFETCH(QStringList, expected);
        WordPieceOptions options;
        options.lowerCase = lowerCase;
        const WordPieceTokenizer tokenizer({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "Hello", "hello", "##s", "!"}, options);
        QCOMPARE(displayTexts(tokenizer.encode("Hellos!")), expected);
    }

    void bertMaskTypedLiterallyIsOneToken()
    {
        const Encoding e = bert()->encode("the [MASK] sat");
        QCOMPARE(displayTexts(e), list({"[CLS]", "the", "[MASK]", "sat", "[SEP]"}));
        QCOMPARE(e.tokens[2].begin, std::size_t(4));
        QCOMPARE(e.tokens[2].end, std::size_t(10));
    }

    // An id outside the vocabulary (a model whose head is wider than its tokenizer) is
    // named without a space, which a view would draw as a token's visible space.
    void anIdOutsideTheVocabularyIsNamedWithoutASpace()
    {
        QCOMPARE(gpt2()->tokenText(999999), std::string("<id=999999>"));
        QCOMPARE(bert()->tokenText(-1), std::string("<id=-1>"));
    }

    void bertRefusesVocabularyWithoutUnknown()
    {
        QVERIFY_THROWS_EXCEPTION(Error, WordPieceTokenizer({"[CLS]", "[SEP]", "a"}, WordPieceOptions{}));
    }
};

QTEST_GUILESS_MAIN(TestModelTokenizers)
#include "test_model_tokenizers.moc"
