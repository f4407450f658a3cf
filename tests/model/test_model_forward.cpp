// The full forward pass of the tiny GPT-2 and BERT fixtures against the plain-torch
// computation of make_models.py (float64), on every CPU backend and on Vulkan where it
// runs; incremental GPT-2 against a full recompute; attention rollout by hand.
#include "attn/backend_choice.h"
#include "attn/error.h"
#include "attn/model/model.h"
#include "attn/model/model_session.h"
#include "attn/npy.h"
#include "layer_ops.h"
#include "model_test_util.h"
#include "vulkan/validation_log.h"

#include <QJsonArray>

#include <cmath>
#include <random>

using namespace attn;
using modeltest::fixture;

namespace {

// Float32 arithmetic against float64 expectations: attention weights lie in [0, 1]; hidden
// states are O(1..10) after a few float32 sums of width 32..128.
constexpr double weightTolerance = 2e-5;
constexpr double hiddenAbs = 1e-4, hiddenRel = 1e-4;
constexpr double nextTokenTolerance = 1e-5;

std::shared_ptr<const Model> load(const QString& name)
{
    static std::map<QString, std::shared_ptr<const Model>> cache;
    auto& slot = cache[name];
    if (!slot)
        slot = Model::load(fixture(name.toUtf8().constData()));
    return slot;
}

// Every field of two traces of the same layer, computed in two float32 orders (the
// incremental rows, or another split over threads): held to what the engine meets against
// PyTorch, not tighter. The hidden states' bound covers x, q, k, v, heads and output, which
// are linear maps of them; a 16-core machine differs from 2 cores by 7e-5 relative on a
// small element of v.
void compareLayers(const Trace& got, const Trace& want)
{
    COMPARE_TENSORS(got.x, want.x, hiddenAbs, hiddenRel);
    COMPARE_TENSORS(got.q, want.q, hiddenAbs, hiddenRel);
    COMPARE_TENSORS(got.k, want.k, hiddenAbs, hiddenRel);
    COMPARE_TENSORS(got.v, want.v, hiddenAbs, hiddenRel);
    COMPARE_TENSORS(got.scores, want.scores, hiddenAbs, hiddenRel);
    COMPARE_TENSORS(got.weights, want.weights, weightTolerance, 0.0);
    COMPARE_TENSORS(got.heads, want.heads, hiddenAbs, hiddenRel);
    COMPARE_TENSORS(got.output, want.output, hiddenAbs, hiddenRel);
}

void compareTraces(const ModelTrace& got, const ModelTrace& want)
{
    QCOMPARE(got.tokenIds, want.tokenIds);
    QCOMPARE(got.tokens, want.tokens);
    QCOMPARE(got.layers.size(), want.layers.size());
    for (std::size_t l = 0; l < got.layers.size(); ++l) {
        compareLayers(got.layers[l], want.layers[l]);
        if (QTest::currentTestFailed())
            QFAIL(qPrintable(QStringLiteral("layer %1 differs").arg(l)));
    }
    COMPARE_TENSORS(got.hidden, want.hidden, 1e-5, 1e-5);
    QCOMPARE(got.nextToken.size(), want.nextToken.size());
    for (std::size_t i = 0; i < got.nextToken.size(); ++i) {
        QCOMPARE(got.nextToken[i].id, want.nextToken[i].id);
        QVERIFY(std::abs(got.nextToken[i].probability - want.nextToken[i].probability) < nextTokenTolerance);
    }
}

ModelRunOptions on(BackendKind kind)
{
    ModelRunOptions options;
    options.backend = kind;
    return options;
}

} // namespace

class TestModelForward : public QObject {
    Q_OBJECT

private slots:
    // A validation message (the layer is on: ATTN_VULKAN_VALIDATION in CMakeLists.txt)
    // fails the test whose Vulkan passes caused it.
    void cleanup()
    {
        const std::vector<std::string> messages = attn::vulkan::takeValidationMessages();
        QVERIFY2(messages.empty(), messages.empty() ? "" : messages.front().c_str());
    }

    void forwardMatchesFixtures_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("backend");
        for (const char* model : {"gpt2-tiny", "bert-tiny"}) {
            for (const char* text : {"short", "long"}) {
                for (BackendKind kind : {BackendKind::Reference, BackendKind::Blas, BackendKind::Vulkan}) {
                    const std::string name = std::string(model) + "/" + text + "/" + toString(kind);
                    QTest::newRow(name.c_str()) << QString::fromUtf8(model) << QString::fromUtf8(text) << int(kind);
                }
            }
        }
    }
    void forwardMatchesFixtures()
    {
        QFETCH(QString, model);
        QFETCH(QString, text);
        QFETCH(int, backend);
        const auto kind = BackendKind(backend);
        if (kind == BackendKind::Vulkan) {
            try {
                makeBackend(BackendKind::Vulkan);
            } catch (const BackendFailure& failure) {
                QSKIP(qPrintable(QStringLiteral("no Vulkan backend here: ") + QString::fromUtf8(failure.what())));
            }
        }
        const std::string folder = "expected/" + model.toStdString() + "/" + text.toStdString() + "/";
        const QJsonObject expected = modeltest::readJson(fixture((folder + "case.json").c_str()));
        const auto trace = runModel(load(model), expected[QStringLiteral("text")].toString().toStdString(), on(kind));

        QCOMPARE(trace->backend, toString(kind));
        if (kind == BackendKind::Vulkan)
            QVERIFY2(attn::vulkan::validationWasEnabled(), "the Vulkan passes ran without the validation layer");
        QVERIFY2(trace->fallbackReason.empty(), trace->fallbackReason.c_str());
        std::vector<int> ids;
        for (const auto& v : expected[QStringLiteral("ids")].toArray())
            ids.push_back(v.toInt());
        QCOMPARE(trace->tokenIds, ids);
        for (std::size_t l = 0; l < trace->layers.size(); ++l) {
            const Tensor want = readNpy(fixture((folder + "weights_" + std::to_string(l) + ".npy").c_str()));
            COMPARE_TENSORS(trace->layers[l].weights, want, weightTolerance, 0.0);
        }
        COMPARE_TENSORS(trace->hidden, readNpy(fixture((folder + "hidden.npy").c_str())), hiddenAbs, hiddenRel);

        if (expected.contains(QStringLiteral("top5_ids"))) {
            const QJsonArray topIds = expected[QStringLiteral("top5_ids")].toArray();
            const QJsonArray topProbs = expected[QStringLiteral("top5_probs")].toArray();
            QCOMPARE(trace->nextToken.size(), std::size_t(5));
            for (int i = 0; i < 5; ++i) {
                QCOMPARE(trace->nextToken[std::size_t(i)].id, topIds[i].toInt());
                QVERIFY(std::abs(trace->nextToken[std::size_t(i)].probability - topProbs[i].toDouble()) < nextTokenTolerance);
            }
        } else {
            QVERIFY(trace->nextToken.empty());
        }
    }

    void layerTraceHasSandboxShapes()
    {
        const auto trace = runModel(load(QStringLiteral("gpt2-tiny")), "The cat sat");
        const std::size_t n = trace->tokenCount();
        QCOMPARE(trace->layers.size(), std::size_t(2));
        const Trace& t = trace->layers[1];
        QCOMPARE(t.config.heads, 4);
        QCOMPARE(t.config.d_k, 8);
        QVERIFY(t.config.causal);
        QCOMPARE(t.weights.shape, (std::vector<std::size_t>{4, n, n}));
        QCOMPARE(t.q.shape, (std::vector<std::size_t>{4, n, 8}));
        QCOMPARE(t.x.shape, (std::vector<std::size_t>{n, 32}));
        QCOMPARE(t.tokens.size(), n);
        QCOMPARE(trace->hidden.shape, (std::vector<std::size_t>{3, n, 32}));
    }

    void withoutScoresTheWeightsStayTheSame()
    {
        ModelRunOptions options;
        options.keepScores = false;
        const auto lean = runModel(load(QStringLiteral("gpt2-tiny")), "The cat sat on the mat.", options);
        const auto full = runModel(load(QStringLiteral("gpt2-tiny")), "The cat sat on the mat.");
        QVERIFY(lean->layers[0].scores.empty());
        QVERIFY(!full->layers[0].scores.empty());
        COMPARE_TENSORS(lean->layers[1].weights, full->layers[1].weights, 0.0, 0.0);
    }

    // --- incremental GPT-2
    void incrementalEditEqualsFullRecompute_data()
    {
        QTest::addColumn<QString>("before");
        QTest::addColumn<QString>("after");
        QTest::addColumn<int>("expectedFirstRow"); // -1: somewhere after 0, not checked exactly
        QTest::newRow("append a word") << QStringLiteral("The cat sat on the mat.")
                                       << QStringLiteral("The cat sat on the mat. The dog") << 7;
        QTest::newRow("append to the last word")
            << QStringLiteral("The quick brown fox") << QStringLiteral("The quick brown foxes") << -1;
        QTest::newRow("change in the middle") << QStringLiteral("The cat sat on the mat.")
                                              << QStringLiteral("The dog sat on the mat.") << 1;
        QTest::newRow("delete the end") << QStringLiteral("The cat sat on the mat.") << QStringLiteral("The cat sat")
                                        << 3;
        QTest::newRow("to empty and back") << QString() << QStringLiteral("Hello world!") << 0;
    }
    void incrementalEditEqualsFullRecompute()
    {
        QFETCH(QString, before);
        QFETCH(QString, after);
        QFETCH(int, expectedFirstRow);
        ModelSession session(load(QStringLiteral("gpt2-tiny")), on(BackendKind::Blas));
        session.update(before.toStdString());
        const auto incremental = session.update(after.toStdString());
        const auto full = runModel(load(QStringLiteral("gpt2-tiny")), after.toStdString(), on(BackendKind::Blas));
        QCOMPARE(full->firstComputedRow, std::size_t(0));
        if (expectedFirstRow >= 0)
            QCOMPARE(incremental->firstComputedRow, std::size_t(expectedFirstRow));
        else
            QVERIFY(incremental->firstComputedRow > 0 && incremental->firstComputedRow < incremental->tokenCount());
        compareTraces(*incremental, *full);
    }

    // Storage recycled from a text of as many tokens already holds the rows of the prefix the
    // two texts share (typing within the last word): those rows are not copied, and the trace
    // equals a full run. The raw scores of those rows against keys the texts do not share are.
    void anEditIntoStorageHoldingThePrefixEqualsAFullRun_data()
    {
        QTest::addColumn<QString>("twoEditsBack"); // whose storage the third text is written into
        QTest::addColumn<QString>("previous");
        QTest::addColumn<QString>("text");
        QTest::newRow("the same prefix") << QStringLiteral("The cat sat on the mat") << QStringLiteral("The cat sat on the dog")
                                         << QStringLiteral("The cat sat on the cat");
        QTest::newRow("a shorter shared prefix") << QStringLiteral("The dog sat on the mat")
                                                 << QStringLiteral("The cat sat on the mat")
                                                 << QStringLiteral("The cat sat on the dog");
    }
    void anEditIntoStorageHoldingThePrefixEqualsAFullRun()
    {
        QFETCH(QString, twoEditsBack);
        QFETCH(QString, previous);
        QFETCH(QString, text);
        const auto model = load(QStringLiteral("gpt2-tiny"));
        QCOMPARE(model->tokenizer().encode(twoEditsBack.toStdString()).ids.size(),
                 model->tokenizer().encode(text.toStdString()).ids.size()); // the test needs equal lengths
        ModelSession session(model, on(BackendKind::Blas));
        session.update(twoEditsBack.toStdString());
        session.update(previous.toStdString());
        const auto edited = session.update(text.toStdString());
        QVERIFY(edited->firstComputedRow > 0);
        QVERIFY(edited->rowsInPlace > 0);
        compareTraces(*edited, *runModel(model, text.toStdString(), on(BackendKind::Blas)));
    }

    // Storage of another length holds its rows elsewhere: everything reused is copied.
    void anEditIntoStorageOfAnotherLengthCopiesEveryReusedRow()
    {
        ModelSession session(load(QStringLiteral("gpt2-tiny")), on(BackendKind::Blas));
        session.update("The cat");
        session.update("The cat sat on the mat");
        const auto edited = session.update("The cat sat on the rug today");
        QVERIFY(edited->firstComputedRow > 0);
        QCOMPARE(edited->rowsInPlace, std::size_t(0));
        compareTraces(*edited, *runModel(load(QStringLiteral("gpt2-tiny")), "The cat sat on the rug today", on(BackendKind::Blas)));
    }

    void incrementalLongInputRecomputesOnlyNewRows()
    {
        std::string text;
        for (int i = 0; i < 6; ++i)
            text += "The cat sat on the mat. ";
        ModelSession session(load(QStringLiteral("gpt2-tiny")), on(BackendKind::Blas));
        const auto first = session.update(text);
        const auto second = session.update(text + "The dog");
        QCOMPARE(second->firstComputedRow, first->tokenCount() - 1); // the trailing " " may merge with "The"
        compareTraces(*second, *runModel(load(QStringLiteral("gpt2-tiny")), text + "The dog", on(BackendKind::Blas)));
    }

    // A session writes each trace into the storage of an earlier one that nobody holds any
    // more: what that storage held must never show through, nor may a held trace change.
    void recycledStorageGivesFreshNumbers_data()
    {
        QTest::addColumn<bool>("keepScores");
        QTest::newRow("scores kept") << true;
        QTest::newRow("scores dropped") << false;
    }
    void recycledStorageGivesFreshNumbers()
    {
        QFETCH(bool, keepScores);
        const auto model = load(QStringLiteral("gpt2-tiny"));
        ModelRunOptions options = on(BackendKind::Blas);
        options.keepScores = keepScores;
        ModelRunOptions fresh = options;
        fresh.incremental = false;
        ModelSession session(model, options);
        const auto check = [&](const char* text) {
            const auto got = session.update(text);
            compareTraces(*got, *runModel(model, text, fresh));
            return got;
        };
        check("The cat sat on the mat and the dog");
        check("The cat sat");
        // Into the storage of the first, longer trace: it keeps the larger allocation.
        const auto held = check("The cat sat on the mat and");
        QVERIFY(held->layers[1].weights.data.capacity() > held->layers[1].weights.size());
        check("The cat sat on the mat and the");  // incremental, into the second trace's storage
        check("The cat sat on the hat and the");  // from the changed token on; `held` is not free
        check("The dog sat on the mat and the dog"); // from the second token on
        compareTraces(*held, *runModel(model, "The cat sat on the mat and", fresh));
    }

    // On every backend (a GPU machine's auto choice is Vulkan, which is not incremental).
    void unchangedTextReturnsTheSameTrace_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<int>("backend");
        QTest::newRow("gpt2 blas") << u"gpt2-tiny"_qs << int(BackendKind::Blas);
        QTest::newRow("gpt2 vulkan") << u"gpt2-tiny"_qs << int(BackendKind::Vulkan);
        QTest::newRow("bert blas") << u"bert-tiny"_qs << int(BackendKind::Blas);
    }

    void unchangedTextReturnsTheSameTrace()
    {
        QFETCH(QString, model);
        QFETCH(int, backend);
        ModelSession session(load(model), on(BackendKind(backend)));
        const auto first = session.update("the cat");
        if (!first->fallbackReason.empty())
            QSKIP(qPrintable(QString::fromStdString("no Vulkan backend here: " + first->fallbackReason)));
        QCOMPARE(session.update("the cat").get(), first.get());
    }

    void bertAlwaysRecomputes()
    {
        ModelSession session(load(QStringLiteral("bert-tiny")), on(BackendKind::Blas));
        session.update("the cat sat");
        const auto second = session.update("the cat sat on the mat");
        QCOMPARE(second->firstComputedRow, std::size_t(0));
        compareTraces(*second, *runModel(load(QStringLiteral("bert-tiny")), "the cat sat on the mat", on(BackendKind::Blas)));
    }

    // --- limits
    void tooManyTokensIsRefused()
    {
        std::string text;
        for (int i = 0; i < 70; ++i)
            text += " cat";
        try {
            runModel(load(QStringLiteral("gpt2-tiny")), text);
            QFAIL("70 tokens ran through a model of 64 positions");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("at most 64") != std::string::npos, e.what());
        }
    }

    void emptyTextGivesEmptyShapes()
    {
        const auto trace = runModel(load(QStringLiteral("gpt2-tiny")), "");
        QCOMPARE(trace->tokenCount(), std::size_t(0));
        QCOMPARE(trace->layers.size(), std::size_t(2));
        QCOMPARE(trace->layers[0].weights.shape, (std::vector<std::size_t>{4, 0, 0}));
        QVERIFY(trace->nextToken.empty());
    }

    void unavailableBackendFallsBackToBlasWithReason()
    {
        ModelRunOptions options = on(BackendKind::Vulkan);
        const auto trace = runModel(load(QStringLiteral("bert-tiny")), "the cat", options);
        try {
            makeBackend(BackendKind::Vulkan);
            QCOMPARE(trace->backend, std::string("vulkan"));
        } catch (const BackendFailure&) {
            QCOMPARE(trace->backend, std::string("blas"));
            QVERIFY(trace->fallbackReason.find("vulkan failed") != std::string::npos);
            QCOMPARE(trace->layers[0].backend, std::string("blas"));
        }
    }

    // --- rollout
    void rolloutOfOneLayerMixesInTheIdentity()
    {
        // One head, n = 2: A = [[1, 0], [0.5, 0.5]] -> (A + I) rows renormalised = [[1, 0], [0.25, 0.75]].
        Tensor a({1, 2, 2});
        a.data = {1.0f, 0.0f, 0.5f, 0.5f};
        const Tensor r = attentionRollout(std::vector<const Tensor*>{&a});
        Tensor want({1, 2, 2});
        want.data = {1.0f, 0.0f, 0.25f, 0.75f};
        COMPARE_TENSORS(r, want, 1e-7, 0.0);
    }

    void rolloutMultipliesThroughLayersAndAveragesHeads()
    {
        // Two heads averaging to [[1, 0], [0.5, 0.5]] in both layers: Â·Â = [[1, 0], [0.4375, 0.5625]].
        Tensor a({2, 2, 2});
        a.data = {1.0f, 0.0f, 0.0f, 1.0f, 1.0f, 0.0f, 1.0f, 0.0f};
        const Tensor r = attentionRollout(std::vector<const Tensor*>{&a, &a});
        QCOMPARE(r.shapeText(), std::string("[2 x 2 x 2]"));
        Tensor second({2, 2});
        second.data.assign(r.data.begin() + 4, r.data.end());
        Tensor want({2, 2});
        want.data = {1.0f, 0.0f, 0.4375f, 0.5625f};
        COMPARE_TENSORS(second, want, 1e-7, 0.0);
    }

    // After an edit, GPT-2's rollout keeps the rows before the edit and computes the rest.
    void rolloutAfterAnEditEqualsTheFullOne_data()
    {
        QTest::addColumn<QString>("before");
        QTest::addColumn<QString>("after");
        QTest::newRow("append") << QStringLiteral("The cat sat") << QStringLiteral("The cat sat on the mat today.");
        QTest::newRow("delete the end") << QStringLiteral("The cat sat on the mat.") << QStringLiteral("The cat sat");
        QTest::newRow("change in the middle") << QStringLiteral("The cat sat on the mat.") << QStringLiteral("The dog sat on the mat.");
    }
    void rolloutAfterAnEditEqualsTheFullOne()
    {
        QFETCH(QString, before);
        QFETCH(QString, after);
        ModelSession session(load(QStringLiteral("gpt2-tiny")), on(BackendKind::Blas));
        const auto first = session.update(before.toStdString());
        const Tensor earlier = attentionRollout(*first);
        const auto second = session.update(after.toStdString());
        QVERIFY(second->firstComputedRow > 0);
        const Tensor edited = attentionRollout(*second, earlier, second->firstComputedRow);
        COMPARE_TENSORS(edited, attentionRollout(*second), 1e-6, 1e-5);
    }

    void rolloutRowsOfAModelSumToOne()
    {
        const auto trace = runModel(load(QStringLiteral("bert-tiny")), "the cat sat on the mat");
        const Tensor r = attentionRollout(*trace);
        const std::size_t n = trace->tokenCount();
        QCOMPARE(r.shape, (std::vector<std::size_t>{2, n, n}));
        for (std::size_t l = 0; l < 2; ++l)
            for (std::size_t i = 0; i < n; ++i) {
                double sum = 0.0;
                for (std::size_t j = 0; j < n; ++j)
                    sum += r.at(l, i, j);
                QVERIFY(std::abs(sum - 1.0) < 1e-5);
            }
    }

    // --- the arithmetic between attention layers, against plain double sums
    void linearMatchesPlainSums_data()
    {
        QTest::addColumn<int>("rows");
        // Up to 8 rows a kernel of its own reads each weight once; more go to sgemm. The width
        // 1037 leaves a remainder after the vectors of 16.
        for (int rows : {1, 5, 8, 9, 200})
            QTest::newRow(qPrintable(QStringLiteral("%1 rows").arg(rows))) << rows;
    }
    void linearMatchesPlainSums()
    {
        QFETCH(int, rows);
        const std::size_t n = std::size_t(rows), in = 1037, out = 2000; // from 5 rows on, in tiles on two threads
        std::mt19937 rng(5);
        std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
        const auto random = [&](std::vector<std::size_t> shape) {
            Tensor t(std::move(shape));
            for (float& v : t.data)
                v = uniform(rng);
            return t;
        };
        const Tensor x = random({n, in}), w = random({out, in}), b = random({out});
        Tensor y({n, out}), sum = random({n, out}), want({n, out}), wantSum = sum;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t o = 0; o < out; ++o) {
                double dot = b.data[o];
                for (std::size_t k = 0; k < in; ++k)
                    dot += double(x.at(i, k)) * double(w.at(o, k));
                want.at(i, o) = float(dot);
                wantSum.at(i, o) += float(dot);
            }
        ops::linear(x.ptr(), n, w, b, y.ptr());
        ops::linearAdd(x.ptr(), n, w, b, sum.ptr());
        // Sums of 1037 float32 products of size 1/3: rounding reaches about 1e-5 absolute.
        COMPARE_TENSORS(y, want, 1e-4, 1e-5);
        COMPARE_TENSORS(sum, wantSum, 1e-4, 1e-5);
    }

    void geluMatchesItsFormula()
    {
        Tensor x({37}); // two vectors of 16 and a remainder
        for (std::size_t i = 0; i < x.size(); ++i)
            x.data[i] = -12.0f + 0.65f * float(i);
        Tensor want = x;
        for (float& v : want.data)
            v = float(0.5 * v * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (v + 0.044715 * double(v) * v * v))));
        ops::activate(x.ptr(), x.size(), Activation::GeluTanh);
        COMPARE_TENSORS(x, want, 1e-6, 1e-6);
        float nan = std::nanf("");
        ops::activate(&nan, 1, Activation::GeluTanh);
        QVERIFY(std::isnan(nan));
    }
};

QTEST_GUILESS_MAIN(TestModelForward)
#include "test_model_forward.moc"
