// The engine as a whole: text or vectors in, a full trace out, with clear refusals.
#include <attn/embedding.h>
#include <attn/engine.h>
#include <attn/error.h>

#include <QTest>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <cmath>

Q_DECLARE_METATYPE(attn::Config)

namespace {

std::shared_ptr<attn::Tensor> matrix(std::size_t rows, std::size_t cols, std::initializer_list<float> values)
{
    auto t = std::make_shared<attn::Tensor>(attn::Tensor({rows, cols}));
    t->data.assign(values);
    return t;
}

std::shared_ptr<attn::Tensor> matrix(std::size_t rows, std::size_t cols, const std::vector<float>& values)
{
    auto t = std::make_shared<attn::Tensor>(attn::Tensor({rows, cols}));
    t->data.assign(values.begin(), values.end());
    return t;
}

// One head, d_model = d_k = d_v = 2, every projection the identity.
std::shared_ptr<attn::LayerWeights> identityLayer()
{
    auto w = std::make_shared<attn::LayerWeights>();
    w->heads = 1;
    w->d_model = w->d_k = w->d_v = 2;
    w->w_q = *matrix(2, 2, {1, 0, 0, 1});
    w->w_k = w->w_q;
    w->w_v = w->w_q;
    w->w_o = w->w_q;
    return w;
}

attn::Request identityRequest(attn::BackendKind backend)
{
    attn::Request request;
    request.text = "I love you";
    request.weights = identityLayer();
    request.inputs = matrix(3, 2, {1, 0, 0, 1, 1, 1});
    request.backend = backend;
    return request;
}

attn::Request blasRequest(const char* text)
{
    attn::Request request;
    request.text = text;
    request.config.d_model = 16;
    request.config.heads = 2;
    request.config.d_k = 8;
    request.config.causal = true;
    request.backend = attn::BackendKind::Blas;
    return request;
}

void expectNear(float actual, double expected, const char* what)
{
    if (std::abs(double(actual) - expected) > 1e-6)
        QFAIL(qPrintable(QStringLiteral("%1: %2, expected %3").arg(QLatin1StringView(what)).arg(actual).arg(expected)));
}

// The rows of a test run on each CPU backend: a column "backend" (attn::BackendKind).
void addCpuBackendRows()
{
    QTest::addColumn<int>("backend");
    QTest::newRow("reference") << int(attn::BackendKind::Reference);
    QTest::newRow("blas") << int(attn::BackendKind::Blas);
}

} // namespace

class TestEngine : public QObject {
    Q_OBJECT

private slots:
    void identityLayerGivesTheHandWorkedSoftmax_data()
    {
        addCpuBackendRows();
    }

    // X = [[1,0],[0,1],[1,1]], every projection the identity: QKᵀ = XXᵀ and the
    // weights are softmax(XXᵀ/√2), worked out here by hand.
    void identityLayerGivesTheHandWorkedSoftmax()
    {
        QFETCH(int, backend);
        attn::Engine engine;
        const auto trace = engine.run(identityRequest(attn::BackendKind(backend)));
        QCOMPARE(trace->tokens.size(), std::size_t(3));
        QCOMPARE(trace->tokens[1].text, std::string("love"));
        QCOMPARE(trace->scores.shapeText(), std::string("[1 x 3 x 3]"));

        const float expectedScores[3][3] = {{1, 0, 1}, {0, 1, 1}, {1, 1, 2}};
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j)
                expectNear(trace->scores.at(0, i, j), expectedScores[i][j], "score");

        const double a = std::exp(1 / std::sqrt(2.0)); // e^(1/√2)
        const double b = std::exp(2 / std::sqrt(2.0));
        // Row 0 ("I"): scores 1, 0, 1 -> a, 1, a.
        expectNear(trace->weights.at(0, 0, 0), a / (2 * a + 1), "w[I, I]");
        expectNear(trace->weights.at(0, 0, 1), 1 / (2 * a + 1), "w[I, love]");
        // Row 2 ("you"): scores 1, 1, 2 -> a, a, b.
        expectNear(trace->weights.at(0, 2, 2), b / (2 * a + b), "w[you, you]");
        // The head output is weights · V with V = X, and W_O is the identity.
        const double you0 = (a * 1 + a * 0 + b * 1) / (2 * a + b);
        expectNear(trace->heads.at(0, 2, 0), you0, "head[you, 0]");
        expectNear(trace->output.at(2, 0), you0, "output[you, 0]");
        QCOMPARE(trace->backend, attn::toString(attn::BackendKind(backend)));
        QVERIFY(trace->fallbackReason.empty());
    }

    // A stop flag set while a long pass runs (the window's worker, when a newer edit comes)
    // ends it with Cancelled instead of a trace; the engine then runs the next request.
    void aStoppedPassThrowsCancelledAndTheNextRunsWhole_data()
    {
        addCpuBackendRows();
    }
    void aStoppedPassThrowsCancelledAndTheNextRunsWhole()
    {
        QFETCH(int, backend);
        attn::Request request; // a pass of a second or so on reference, a tenth of that on BLAS
        for (int i = 0; i < (backend == int(attn::BackendKind::Reference) ? 500 : 1250); ++i)
            request.text += i % 5 == 0 ? "the cat " : "sat ";
        request.config.d_model = 768;
        request.config.heads = 12;
        request.config.d_k = 64;
        request.backend = attn::BackendKind(backend);
        std::atomic<bool> stop{false};
        request.stop = &stop;
        attn::Engine engine;
        std::thread stopper([&stop] {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            stop = true;
        });
        bool cancelled = false;
        QString otherwise = u"a trace"_qs;
        try {
            engine.run(request);
        } catch (const attn::Cancelled&) {
            cancelled = true;
        } catch (const std::exception& error) {
            otherwise = QString::fromUtf8(error.what());
        }
        stopper.join();
        QVERIFY2(cancelled, qPrintable(otherwise));

        stop = false;
        request.text = "I love you";
        QCOMPARE(engine.run(request)->queryCount(), std::size_t(3));
    }

    // A setting out of range is said as typed: 0.0009 read "9e-04".
    void aSettingOutOfRangeIsSaidAsTyped()
    {
        try {
            attn::validateTemperature(0.0009);
            QFAIL("a temperature under 0.001 was taken");
        } catch (const attn::Error& error) {
            QCOMPARE(QString::fromUtf8(error.what()), u"temperature is 0.0009; it must be between 0.001 and 1000."_qs);
        }
    }

    void causalMaskZeroesTheFuture()
    {
        attn::Engine engine;
        attn::Request request = identityRequest(attn::BackendKind::Reference);
        request.config.causal = true;
        const auto trace = engine.run(request);
        QCOMPARE(trace->weights.at(0, 0, 0), 1.0f);
        QCOMPARE(trace->weights.at(0, 0, 1), 0.0f);
        QCOMPARE(trace->weights.at(0, 1, 2), 0.0f);
        // Raw scores are kept before the mask, so the steps view can show them.
        QCOMPARE(trace->scores.at(0, 0, 2), 1.0f);
    }

    void sameWordAtSamePositionGetsTheSameVector()
    {
        attn::Config config;
        const auto tokens = attn::tokenize("the cat the cat");
        attn::Tensor x = attn::embed(tokens, config);
        attn::Tensor again = attn::embed(attn::tokenize("the dog"), config);
        for (std::size_t c = 0; c < x.dim(1); ++c)
            QCOMPARE(x.at(0, c), again.at(0, c));
        bool positionsDiffer = false;
        for (std::size_t c = 0; c < x.dim(1); ++c)
            positionsDiffer |= x.at(0, c) != x.at(2, c);
        QVERIFY2(positionsDiffer, "positional encoding must tell the two 'the' apart");
        config.positional = attn::Positional::None;
        x = attn::embed(tokens, config);
        for (std::size_t c = 0; c < x.dim(1); ++c)
            QCOMPARE(x.at(0, c), x.at(2, c));
    }

    // The engine keeps token vectors and sinusoids between runs (typing changes a token or
    // two); what it makes from them is attn::embed's X to the last bit, after a run with other
    // words, another seed or width, and past the rows it keeps.
    void inputsFromTheEnginesCacheAreExactlyTheEmbedding_data()
    {
        QTest::addColumn<QString>("before");
        QTest::addColumn<attn::Config>("beforeConfig");
        QTest::addColumn<QString>("text");
        QTest::addColumn<attn::Config>("config");
        attn::Config small;
        small.d_model = 64;
        small.heads = 1;
        small.d_k = 4;
        attn::Config otherSeed = small;
        otherSeed.seed = 7;
        attn::Config wider = small;
        wider.d_model = 96;
        attn::Config unplaced = small;
        unplaced.positional = attn::Positional::None;
        attn::Config widest = small; // 2,060 rows of 8,192: past the 64 MiB of rows kept
        widest.d_model = 8192;
        QString many;
        for (int i = 0; i < 2060; ++i)
            many += u"w"_qs + QString::number(i) + u' ';
        const QString sentence = u"the cat sat on the mat, and the dog sat on the cat"_qs;
        QTest::newRow("shared words") << u"the cat sat"_qs << small << sentence << small;
        QTest::newRow("another seed") << sentence << small << sentence << otherSeed;
        QTest::newRow("another width") << sentence << small << sentence << wider;
        QTest::newRow("no positions, then positions") << sentence << unplaced << sentence << small;
        QTest::newRow("more rows than kept") << many << widest << many + u"and more"_qs << widest;
    }

    void inputsFromTheEnginesCacheAreExactlyTheEmbedding()
    {
        QFETCH(QString, before);
        QFETCH(attn::Config, beforeConfig);
        QFETCH(QString, text);
        QFETCH(attn::Config, config);
        attn::Engine engine;
        attn::Request request;
        request.backend = attn::BackendKind::Blas;
        request.text = before.toStdString();
        request.config = beforeConfig;
        engine.run(request);
        request.text = text.toStdString();
        request.config = config;
        const auto trace = engine.run(request);
        const attn::Tensor expected = attn::embed(attn::tokenize(request.text), config);
        QCOMPARE(trace->x.shape, expected.shape);
        QVERIFY(trace->x.data == expected.data);
    }

    void sinusoidalEncodingMatchesThePaper()
    {
        attn::Tensor x({3, 4});
        attn::addSinusoidalPositions(x);
        QCOMPARE(x.at(0, 0), 0.0f);
        QCOMPARE(x.at(0, 1), 1.0f);
        expectNear(x.at(2, 0), std::sin(2.0), "PE(2, 0)");
        expectNear(x.at(2, 3), std::cos(2.0 / std::pow(10000.0, 2.0 / 4.0)), "PE(2, 3)");
    }

    void seedDecidesTheWeights()
    {
        attn::Config config;
        const auto a = attn::LayerWeights::seeded(config);
        const auto b = attn::LayerWeights::seeded(config);
        QVERIFY(a.w_q.data == b.w_q.data);
        config.seed += 1;
        const auto c = attn::LayerWeights::seeded(config);
        QVERIFY(a.w_q.data != c.w_q.data);
        const double bound = std::sqrt(6.0 / double(config.d_model + config.heads * config.d_k));
        for (float w : c.w_q.data)
            QVERIFY(std::abs(w) <= bound);
    }

    // Without positional encoding attention is permutation-equivariant: permuting the
    // tokens permutes every row and column of the trace the same way.
    void permutingTokensPermutesTheTrace()
    {
        attn::Request request;
        request.config.positional = attn::Positional::None;
        request.config.heads = 3;
        request.config.d_k = 5;
        request.config.d_model = 12;
        request.backend = attn::BackendKind::Reference;
        attn::Engine engine;
        request.text = "alpha beta gamma delta";
        const auto original = engine.run(request);
        request.text = "gamma alpha delta beta";
        const auto permuted = engine.run(request);
        const std::size_t from[4] = {2, 0, 3, 1}; // permuted token i was original token from[i]
        for (std::size_t h = 0; h < 3; ++h)
            for (std::size_t i = 0; i < 4; ++i) {
                for (std::size_t j = 0; j < 4; ++j)
                    QCOMPARE(permuted->weights.at(h, i, j), original->weights.at(h, from[i], from[j]));
                for (std::size_t c = 0; c < 12; ++c)
                    QCOMPARE(permuted->output.at(i, c), original->output.at(from[i], c));
            }
    }

    void emptyTextGivesAnEmptyTraceWithShapes()
    {
        attn::Engine engine;
        attn::Request request;
        const auto trace = engine.run(request);
        QCOMPARE(trace->queryCount(), std::size_t(0));
        QCOMPARE(trace->weights.shapeText(), std::string("[4 x 0 x 0]"));
    }

    void crossAttentionHasTargetByTargetSourceShapes()
    {
        attn::Engine engine;
        attn::Request request;
        request.text = "le chat dort";
        request.sourceText = "the cat is sleeping now";
        const auto trace = engine.run(request);
        QVERIFY(trace->isCross());
        QCOMPARE(trace->weights.shapeText(), std::string("[4 x 3 x 5]"));
        QCOMPARE(trace->keyTokens().at(4).text, std::string("now"));
        QCOMPARE(trace->output.shapeText(), std::string("[3 x 64]"));
    }

    void aSourceTextWithoutTokensIsNoSource_data()
    {
        QTest::addColumn<QString>("source");
        QTest::newRow("empty") << QString();
        QTest::newRow("spaces") << u"   "_qs;
        QTest::newRow("a tab and a newline") << u"\t\n"_qs;
    }
    void aSourceTextWithoutTokensIsNoSource()
    {
        QFETCH(QString, source);
        attn::Engine engine;
        attn::Request request;
        request.text = "le chat dort";
        request.sourceText = source.toStdString();
        const auto trace = engine.run(request);
        QVERIFY(!trace->isCross());
        QCOMPARE(trace->weights.shapeText(), std::string("[4 x 3 x 3]"));
    }

    void givenInputsWithoutATextAreNamedByPosition()
    {
        attn::Engine engine;
        attn::Request request = identityRequest(attn::BackendKind::Blas);
        request.text.clear();
        const auto trace = engine.run(request);
        QCOMPARE(trace->tokens.size(), std::size_t(3));
        QCOMPARE(trace->tokens[2].text, std::string("t2"));
    }

    // A text that cannot name the rows would title a figure of other numbers.
    void aTextThatCannotNameTheGivenInputsIsRefused()
    {
        attn::Engine engine;
        attn::Request request = identityRequest(attn::BackendKind::Blas);
        request.text = "two words";
        try {
            engine.run(request);
            QFAIL("ran inputs of 3 rows under a text of 2 tokens");
        } catch (const attn::Error& error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains(u"the text has 2 tokens (\"two\" \"words\") but the inputs have 3 rows"_qs),
                     error.what());
        }
    }

    // X as given has no positional encoding added, and the trace's config says so.
    void givenInputsRecordThatNoPositionsWereAdded()
    {
        attn::Engine engine;
        attn::Request request = identityRequest(attn::BackendKind::Blas);
        request.config.positional = attn::Positional::Sinusoidal;
        const auto trace = engine.run(request);
        QVERIFY(trace->config.positional == attn::Positional::None);
        QVERIFY(trace->x.data == request.inputs->data);
    }

    void causalMaskWithASourceTextIsRefused()
    {
        attn::Engine engine;
        attn::Request request = blasRequest("le chat dort");
        request.sourceText = "the cat is sleeping";
        try {
            engine.run(request);
            QFAIL("masked cross-attention by position");
        } catch (const attn::Error& error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains(u"turn the causal mask off"_qs), error.what());
        }
        request.config.causal = false;
        QVERIFY(engine.run(request)->isCross());
    }

    void loadedWeightsDecideTheSizes()
    {
        attn::Engine engine;
        attn::Request request = identityRequest(attn::BackendKind::Blas);
        request.config.heads = 7; // overridden by the layer
        request.config.d_model = 100;
        const auto trace = engine.run(request);
        QCOMPARE(trace->config.heads, 1);
        QCOMPARE(trace->config.d_model, 2);
    }

    void refusesWhatItCannotRun_data()
    {
        QTest::addColumn<int>("heads");
        QTest::addColumn<int>("dk");
        QTest::addColumn<int>("dmodel");
        QTest::addColumn<float>("temperature");
        QTest::addColumn<int>("words");
        QTest::addColumn<QString>("message");
        QTest::newRow("no heads") << 0 << 16 << 64 << 1.0f << 3 << u"heads is 0"_qs;
        QTest::newRow("too many heads") << 65 << 16 << 64 << 1.0f << 3 << u"between 1 and 64"_qs;
        QTest::newRow("d_k too large") << 4 << 5000 << 64 << 1.0f << 3 << u"d_k is 5000"_qs;
        QTest::newRow("d_model too large") << 4 << 16 << 9000 << 1.0f << 3 << u"d_model is 9000"_qs;
        QTest::newRow("zero temperature") << 4 << 16 << 64 << 0.0f << 3 << u"temperature"_qs;
        QTest::newRow("a temperature just past the limit, said exactly")
            << 4 << 16 << 64 << 1000.001f << 3 << u"temperature is 1000.001; it must be between 0.001 and 1000."_qs;
        QTest::newRow("tiny temperature, said readably")
            << 4 << 16 << 64 << 1e-30f << 3 << u"temperature is 1e-30; it must be between 0.001 and 1000."_qs;
        // As typed, not as the float's nearest double prints (1.00000002e+30).
        QTest::newRow("huge temperature, said as typed")
            << 4 << 16 << 64 << 1e30f << 3 << u"temperature is 1e+30; it must be between 0.001 and 1000."_qs;
        QTest::newRow("20,000 tokens") << 4 << 16 << 64 << 1.0f << 20000
                                       << u"20000 tokens with 4 heads would need 12.0 GiB of memory, more than the 4.0 GiB limit; shorten the text"_qs;
        QTest::newRow("a layer too large for any text")
            << 64 << 1024 << 8192 << 1.0f << 1
            << u"1 token with 64 heads would need 8.0 GiB of memory, more than the 4.0 GiB limit; the layer's weights alone take 8.0 GiB: use a smaller d_model, d_k or d_v, or fewer heads."_qs;
    }

    void refusesWhatItCannotRun()
    {
        QFETCH(int, heads);
        QFETCH(int, dk);
        QFETCH(int, dmodel);
        QFETCH(float, temperature);
        QFETCH(int, words);
        QFETCH(QString, message);
        attn::Request request;
        request.config.heads = heads;
        request.config.d_k = dk;
        request.config.d_model = dmodel;
        request.config.temperature = temperature;
        for (int i = 0; i < words; ++i)
            request.text += "word ";
        attn::Engine engine;
        try {
            engine.run(request);
            QFAIL("the engine ran a request it should refuse");
        } catch (const attn::Error& error) {
            QVERIFY2(QString::fromStdString(error.what()).contains(message), error.what());
        }
    }

    // Finite inputs whose products pass float32's largest value give raw scores of ±inf:
    // BLAS's float32 softmax then makes NaN weights, which a picture shows as zeros, while
    // the reference (double sums) still weighs them, and the steps once wrote +inf as the
    // mask's −∞. No backend hands out such a trace: each refuses it, saying why.
    void scoresBeyondFloatRangeAreRefusedOnEveryBackend_data()
    {
        addCpuBackendRows();
    }
    void scoresBeyondFloatRangeAreRefusedOnEveryBackend()
    {
        QFETCH(int, backend);
        std::vector<float> values(5 * 64);
        for (std::size_t i = 0; i < values.size(); ++i)
            values[i] = (i / 64 == 1) ? 1e20f : float(i % 7) / 7.0f;
        attn::Request request;
        request.inputs = matrix(5, 64, values);
        request.config.heads = 4;
        request.config.d_model = 64;
        request.backend = attn::BackendKind(backend);
        attn::Engine engine;
        try {
            engine.run(request);
            QFAIL("a trace with scores past float32's range was handed out");
        } catch (const attn::Error& error) {
            QVERIFY2(QString::fromStdString(error.what()).contains(u"scores QKᵀ exceed float32's range"_qs), error.what());
        }
        // The same inputs a thousand times smaller run.
        for (float& value : values)
            value /= 1000.f;
        request.inputs = matrix(5, 64, values);
        QVERIFY(engine.run(request));
    }

    // Raw scores within float32's range that a small temperature scales past it: the float
    // backends' softmax made NaN weights (refused), the reference's double sums did not
    // (shown). Every backend refuses it alike, naming the temperature.
    void scoresScaledBeyondFloatRangeAreRefusedOnEveryBackend_data()
    {
        addCpuBackendRows();
    }
    void scoresScaledBeyondFloatRangeAreRefusedOnEveryBackend()
    {
        QFETCH(int, backend);
        std::vector<float> values(5 * 8);
        for (std::size_t i = 0; i < values.size(); ++i)
            values[i] = float((i * 37) % 11) / 11.0f * 3e18f;
        attn::Request request;
        request.inputs = matrix(5, 8, values);
        request.config.heads = 2;
        request.config.d_model = 8;
        request.config.temperature = 0.001f;
        request.backend = attn::BackendKind(backend);
        attn::Engine engine;
        try {
            const auto trace = engine.run(request);
            QFAIL(qPrintable(u"handed out; its largest raw score: "_qs
                             + QString::number(*std::max_element(trace->scores.ptr(), trace->scores.ptr() + trace->scores.size()))));
        } catch (const attn::Error& error) {
            QVERIFY2(QString::fromStdString(error.what()).contains(u"raise the temperature"_qs), error.what());
        }
        // At temperature 1 the same scores stay within the range once scaled, and run.
        request.config.temperature = 1.f;
        QVERIFY(engine.run(request));
    }

    // A trace nobody holds any more lends its storage to the next run, whatever sizes
    // (and numbers) that storage held before: the result is a fresh engine's, exactly.
    void recycledStorageGivesTheNumbersOfAFreshRun_data()
    {
        QTest::addColumn<QString>("before");
        QTest::addColumn<QString>("after");
        QTest::newRow("same size") << "the cat sat on the mat" << "a dog lay by the door";
        QTest::newRow("shorter") << "the cat sat on the mat" << "the cat sat on";
        QTest::newRow("longer") << "the cat sat on" << "the cat sat on the mat";
    }

    void recycledStorageGivesTheNumbersOfAFreshRun()
    {
        QFETCH(QString, before);
        QFETCH(QString, after);
        attn::Engine engine;
        engine.run(blasRequest(qPrintable(before))); // released at once: its storage is free
        const auto recycled = engine.run(blasRequest(qPrintable(after)));
        const auto fresh = attn::Engine().run(blasRequest(qPrintable(after)));
        for (attn::Tensor attn::Trace::*tensor : {&attn::Trace::q, &attn::Trace::k, &attn::Trace::v, &attn::Trace::scores,
                                                  &attn::Trace::weights, &attn::Trace::heads, &attn::Trace::output}) {
            QCOMPARE(((*recycled).*tensor).shape, ((*fresh).*tensor).shape);
            QCOMPARE(((*recycled).*tensor).data, ((*fresh).*tensor).data);
        }
    }

    void releasedTraceLendsItsStorageToTheNext()
    {
        attn::Engine engine;
        const std::size_t longer = engine.run(blasRequest("the cat sat on the mat"))->scores.size();
        const auto shorter = engine.run(blasRequest("the cat sat on the"));
        // A vector made for the shorter trace would have no room for the longer one.
        QVERIFY(shorter->scores.size() < longer);
        QVERIFY(shorter->scores.data.capacity() >= longer);
    }

    // Typing fast: each run starts while the window shows one result and holds the next on
    // its way; the run before those two, released meanwhile, lends its storage, rather than
    // the run taking fresh memory (page faults; on a GPU, storage imported anew).
    void runAfterTwoHeldTracesTakesTheStorageOfTheOneBefore()
    {
        attn::Engine engine;
        auto released = engine.run(blasRequest("the cat sat on the mat by the door"));
        const auto shown = engine.run(blasRequest("the cat sat on the mat by a door"));
        const auto onItsWay = engine.run(blasRequest("the cat sat on the mat by a dog"));
        const std::size_t longer = released->scores.size();
        released.reset(); // the window now shows the next one
        const auto next = engine.run(blasRequest("the cat sat on the mat"));
        // A vector made for the shorter trace would have no room for the longer one.
        QVERIFY(next->scores.size() < longer);
        QVERIFY(next->scores.data.capacity() >= longer);
    }

    // Once the window lets go of a trace, the engine keeps it for its storage only while it
    // is small: a 3.2 GB trace of 20,000 tokens stayed in memory beside the one on show.
    void aReleasedTraceIsKeptOnlyWhileSmall_data()
    {
        QTest::addColumn<bool>("small");
        QTest::newRow("small: kept for the next run") << true;
        QTest::newRow("large: freed") << false;
    }

    void aReleasedTraceIsKeptOnlyWhileSmall()
    {
        QFETCH(bool, small);
        const attn::Request request = blasRequest("the cat sat on the mat");
        const std::uint64_t bytes = attn::Engine::traceBytes(6, 6, request.config);
        attn::Engine engine(small ? bytes : bytes - 1);
        auto shown = engine.run(request);
        QCOMPARE(shown->queryCount(), std::size_t(6));
        const std::weak_ptr<const attn::Trace> watched = shown;
        const auto next = engine.run(blasRequest("the cat sat on the rug"));
        shown.reset(); // the window shows the next one
        QCOMPARE(watched.expired(), !small);
    }

    void heldTraceIsNeverOverwritten()
    {
        attn::Engine engine;
        const auto shown = engine.run(blasRequest("the cat sat on the mat"));
        const attn::FloatStorage weights = shown->weights.data;
        for (const char* text : {"a dog lay by the door", "one two three four five six", "x y z"})
            engine.run(blasRequest(text));
        QCOMPARE(shown->weights.data, weights);
    }

    void inputsOfTheWrongWidthAreRefused()
    {
        attn::Request request = identityRequest(attn::BackendKind::Blas);
        request.inputs = matrix(2, 3, {1, 2, 3, 4, 5, 6});
        attn::Engine engine;
        QVERIFY_THROWS_EXCEPTION(attn::Error, engine.run(request));
    }
};

QTEST_GUILESS_MAIN(TestEngine)
#include "test_engine.moc"
