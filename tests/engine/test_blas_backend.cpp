// The BLAS backend against the reference (the double-precision oracle), over chosen
// shapes and a seeded random sweep, and the fused scale-mask-softmax on its own.
#include "attn/backend.h"
#include "attn/config.h"
#include "attn/error.h"
#include "attn/weights.h"

// The softmax kernel and the team's tiling are internal to the engine.
#include "trace_compare.h"

#include "../../engine/src/softmax.h"
#include "../../engine/src/thread_team.h"

#include <QTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern "C" int openblas_get_num_threads(void);

namespace {

struct Case {
    int queries = 1;
    int keys = 0; // 0: self-attention over the queries
    int dModel = 8;
    int heads = 1;
    int dk = 4;
    int dv = 0;
    bool causal = false;
    attn::Scaling scaling = attn::Scaling::InvSqrtDk;
    float temperature = 1.0f;
    bool bias = false;
    unsigned seed = 1;

    QString text() const
    {
        return QStringLiteral("nq=%1 nk=%2 d_model=%3 h=%4 d_k=%5 d_v=%6 causal=%7 scaling=%8 T=%9 bias=%10")
            .arg(queries)
            .arg(keys)
            .arg(dModel)
            .arg(heads)
            .arg(dk)
            .arg(dv)
            .arg(causal)
            .arg(QString::fromStdString(attn::toString(scaling)))
            .arg(double(temperature))
            .arg(bias);
    }
};

attn::Tensor randomTensor(std::vector<std::size_t> shape, std::mt19937& random, float spread)
{
    attn::Tensor t(std::move(shape));
    std::uniform_real_distribution<float> uniform(-spread, spread);
    for (float& value : t.data)
        value = uniform(random);
    return t;
}

attn::Config configOf(const Case& c)
{
    attn::Config config;
    config.d_model = c.dModel;
    config.heads = c.heads;
    config.d_k = c.dk;
    config.d_v = c.dv;
    config.causal = c.causal;
    config.scaling = c.scaling;
    config.temperature = c.temperature;
    config.bias = c.bias;
    config.seed = c.seed;
    return config;
}

// Seeded weights, with non-zero biases when asked (seeded ones are zero).
attn::LayerWeights weightsOf(const Case& c, std::mt19937& random)
{
    attn::LayerWeights w = attn::LayerWeights::seeded(configOf(c));
    if (c.bias) {
        w.b_q = randomTensor({w.b_q.size()}, random, 0.5f);
        w.b_k = randomTensor({w.b_k.size()}, random, 0.5f);
        w.b_v = randomTensor({w.b_v.size()}, random, 0.5f);
        w.b_o = randomTensor({w.b_o.size()}, random, 0.5f);
    }
    return w;
}

struct Run {
    attn::Trace reference;
    attn::Trace blas;
};

Run runBoth(const Case& c)
{
    std::mt19937 random(c.seed);
    const attn::LayerWeights weights = weightsOf(c, random);
    const attn::Tensor queries = randomTensor({std::size_t(c.queries), std::size_t(c.dModel)}, random, 1.5f);
    const attn::Tensor keys = c.keys > 0 ? randomTensor({std::size_t(c.keys), std::size_t(c.dModel)}, random, 1.5f)
                                         : attn::Tensor();
    const attn::AttentionProblem problem{queries, c.keys > 0 ? keys : queries, weights, c.causal,
                                         configOf(c).scoreScale()};
    Run run;
    attn::makeReferenceBackend()->forward(problem, run.reference);
    attn::makeBlasBackend()->forward(problem, run.blas);
    return run;
}

void expectSameTrace(const Case& c, const Run& run)
{
    const attn::Trace& b = run.blas;
    const attn::Trace& r = run.reference;
    const QString problem = tracecompare::compareTraces(b, r);
    if (!problem.isEmpty())
        QFAIL(qPrintable(c.text() + QStringLiteral(": ") + problem));
}

// Softmax in double of one row of raw scores, for the kernel's own tests.
std::vector<double> softmaxInDouble(const std::vector<float>& scores, float scale, std::size_t visible)
{
    std::vector<double> result(scores.size(), 0.0);
    double largest = -std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < visible; ++j)
        largest = std::max(largest, double(scores[j]) * double(scale));
    if (largest == -std::numeric_limits<double>::infinity())
        return result;
    double sum = 0.0;
    for (std::size_t j = 0; j < visible; ++j)
        sum += result[j] = std::exp(double(scores[j]) * double(scale) - largest);
    for (std::size_t j = 0; j < visible; ++j)
        result[j] /= sum;
    return result;
}

} // namespace

Q_DECLARE_METATYPE(Case)

class TestBlasBackend : public QObject {
    Q_OBJECT

private slots:
    void blasMatchesReference_data()
    {
        QTest::addColumn<Case>("c");
        const auto row = [](const char* name, Case c) { QTest::newRow(name) << c; };
        row("one token", {.queries = 1, .dModel = 8, .heads = 2, .dk = 4});
        row("d_k 1", {.queries = 5, .dModel = 6, .heads = 3, .dk = 1});
        row("odd and prime sizes", {.queries = 13, .dModel = 17, .heads = 3, .dk = 7, .dv = 5});
        row("one head", {.queries = 31, .dModel = 16, .heads = 1, .dk = 16});
        row("32 heads", {.queries = 37, .dModel = 64, .heads = 32, .dk = 2});
        row("causal", {.queries = 41, .dModel = 32, .heads = 4, .dk = 8, .causal = true});
        row("cold temperature", {.queries = 19, .dModel = 16, .heads = 2, .dk = 8, .temperature = 0.25f});
        row("hot temperature", {.queries = 19, .dModel = 16, .heads = 2, .dk = 8, .temperature = 8.0f});
        row("no scaling", {.queries = 23, .dModel = 24, .heads = 3, .dk = 8, .scaling = attn::Scaling::None});
        row("d_v differs from d_k", {.queries = 19, .dModel = 24, .heads = 4, .dk = 6, .dv = 11});
        row("biases", {.queries = 23, .dModel = 20, .heads = 2, .dk = 10, .bias = true});
        row("cross, more keys", {.queries = 7, .keys = 29, .dModel = 16, .heads = 2, .dk = 8});
        row("cross, fewer keys, causal", {.queries = 29, .keys = 7, .dModel = 16, .heads = 2, .dk = 8, .causal = true});
        row("cross, more keys, causal", {.queries = 7, .keys = 29, .dModel = 16, .heads = 2, .dk = 8, .causal = true});
        // Large enough for the thread team, several row blocks per head and rows whose
        // length is no multiple of the vector width.
        row("team, causal, many blocks", {.queries = 700, .dModel = 32, .heads = 2, .dk = 16, .causal = true, .bias = true});
        row("team, cross", {.queries = 333, .keys = 517, .dModel = 48, .heads = 3, .dk = 16, .dv = 9});
        row("team, tiles of rows and columns", {.queries = 256, .dModel = 192, .heads = 4, .dk = 48, .bias = true});
        row("few rows, wide layer", {.queries = 3, .dModel = 256, .heads = 8, .dk = 32, .bias = true});
        row("one row, wide layer", {.queries = 1, .dModel = 300, .heads = 3, .dk = 7, .bias = true});
        row("eight rows, wide layer, causal", {.queries = 8, .dModel = 200, .heads = 5, .dk = 40, .dv = 11, .causal = true, .bias = true});
    }

    void blasMatchesReference()
    {
        QFETCH(Case, c);
        expectSameTrace(c, runBoth(c));
    }

    void blasMatchesReferenceOverRandomConfigurations()
    {
        std::mt19937 random(20240601);
        const auto pick = [&](int low, int high) { return std::uniform_int_distribution<int>(low, high)(random); };
        for (int i = 0; i < 100; ++i) {
            Case c;
            c.queries = pick(1, 70);
            c.keys = pick(0, 1) ? 0 : pick(1, 70);
            c.heads = pick(1, 8);
            c.dk = pick(1, 24);
            c.dv = pick(0, 1) ? 0 : pick(1, 24);
            c.dModel = pick(1, 48);
            c.causal = pick(0, 1);
            c.scaling = pick(0, 1) ? attn::Scaling::InvSqrtDk : attn::Scaling::None;
            c.temperature = float(std::exp2(std::uniform_real_distribution<double>(-2.0, 2.0)(random)));
            c.bias = pick(0, 1);
            c.seed = unsigned(i + 1);
            expectSameTrace(c, runBoth(c));
            if (QTest::currentTestFailed())
                return;
        }
    }

    void noKeysGiveZeroHeadsAndTheBiasAsOutput()
    {
        std::mt19937 random(3);
        const Case c{.queries = 4, .dModel = 8, .heads = 2, .dk = 4, .bias = true};
        const attn::LayerWeights weights = weightsOf(c, random);
        const attn::Tensor queries = randomTensor({4, 8}, random, 1.0f);
        const attn::Tensor keys({0, 8});
        attn::Trace reference, blas;
        const attn::AttentionProblem problem{queries, keys, weights, false, 0.5f};
        attn::makeReferenceBackend()->forward(problem, reference);
        attn::makeBlasBackend()->forward(problem, blas);
        QCOMPARE(blas.weights.shape, (std::vector<std::size_t>{2, 4, 0}));
        for (const QString& problem : {tracecompare::compareTensor("heads", blas.heads, reference.heads),
                                       tracecompare::compareTensor("output", blas.output, reference.output)})
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        for (std::size_t i = 0; i < 4; ++i)
            QCOMPARE(blas.output.at(i, 7), weights.b_o.data[7]);
    }

    void inputsOfTheWrongWidthAreRefused()
    {
        const Case c{.queries = 4, .dModel = 8, .heads = 2, .dk = 4};
        std::mt19937 random(4);
        const attn::LayerWeights weights = weightsOf(c, random);
        const attn::Tensor queries = randomTensor({4, 9}, random, 1.0f);
        attn::Trace trace;
        QVERIFY_THROWS_EXCEPTION(attn::Error,
                                 attn::makeBlasBackend()->forward({queries, queries, weights, false, 1.0f}, trace));
    }

    void repeatedPassesAreIdenticalAndKeepOpenBlasThreads()
    {
        const Case c{.queries = 300, .keys = 280, .dModel = 64, .heads = 4, .dk = 16, .causal = true};
        std::mt19937 random(5);
        const attn::LayerWeights weights = weightsOf(c, random);
        const attn::Tensor queries = randomTensor({300, 64}, random, 1.0f);
        const attn::Tensor keys = randomTensor({280, 64}, random, 1.0f);
        const int threadsBefore = openblas_get_num_threads();
        const auto blas = attn::makeBlasBackend();
        attn::Trace first, second;
        blas->forward({queries, keys, weights, true, 0.25f}, first);
        blas->forward({queries, keys, weights, true, 0.25f}, second);
        QCOMPARE(openblas_get_num_threads(), threadsBefore);
        QVERIFY(first.weights.data == second.weights.data);
        QVERIFY(first.output.data == second.output.data);
    }

    // The window's sandbox and model computations run on threads of their own; the thread
    // team's helpers serve one pass at a time, and the other pass works on alone.
    void passesOnTwoThreadsAtOnceBothMatchTheReference()
    {
        const Case cases[] = {{.queries = 200, .dModel = 64, .heads = 4, .dk = 16, .causal = true, .seed = 7},
                              {.queries = 150, .keys = 170, .dModel = 48, .heads = 3, .dk = 16, .bias = true, .seed = 8}};
        std::vector<Run> runs[2];
        {
            std::jthread other([&] {
                for (int round = 0; round < 10; ++round)
                    runs[1].push_back(runBoth(cases[1]));
            });
            for (int round = 0; round < 10; ++round)
                runs[0].push_back(runBoth(cases[0]));
        }
        for (int which = 0; which < 2; ++which)
            for (const Run& run : runs[which]) {
                expectSameTrace(cases[which], run);
                if (QTest::currentTestFailed())
                    return;
            }
    }

    void weightsRowsSumToOne()
    {
        const Run run = runBoth({.queries = 150, .keys = 97, .dModel = 32, .heads = 4, .dk = 8, .causal = true});
        const attn::Tensor& w = run.blas.weights;
        for (std::size_t h = 0; h < w.dim(0); ++h)
            for (std::size_t i = 0; i < w.dim(1); ++i) {
                double sum = 0.0;
                for (std::size_t j = 0; j < w.dim(2); ++j)
                    sum += w.at(h, i, j);
                QVERIFY2(std::abs(sum - 1.0) < 1e-5, qPrintable(QStringLiteral("head %1 row %2 sums to %3")
                                                                    .arg(h)
                                                                    .arg(i)
                                                                    .arg(sum, 0, 'g', 9)));
            }
    }

    void causalRowsAreExactlyZeroAboveTheDiagonal()
    {
        const Run run = runBoth({.queries = 77, .dModel = 16, .heads = 2, .dk = 8, .causal = true});
        const attn::Tensor& w = run.blas.weights;
        for (std::size_t h = 0; h < w.dim(0); ++h)
            for (std::size_t i = 0; i < w.dim(1); ++i) {
                for (std::size_t j = i + 1; j < w.dim(2); ++j)
                    QCOMPARE(w.at(h, i, j), 0.0f);
                QVERIFY(w.at(h, i, i) > 0.0f);
            }
    }

    void coldTemperatureTendsToOneHot()
    {
        double previous = 0.0;
        for (float temperature : {1.0f, 0.1f, 0.01f, 0.001f}) {
            const Run run = runBoth({.queries = 40, .dModel = 16, .heads = 2, .dk = 8, .temperature = temperature});
            const attn::Tensor& w = run.blas.weights;
            const attn::Tensor& s = run.blas.scores;
            double meanLargest = 0.0;
            for (std::size_t r = 0; r < w.dim(0) * w.dim(1); ++r) {
                const float* weights = w.ptr() + r * w.dim(2);
                const float* scores = s.ptr() + r * s.dim(2);
                const auto top = std::max_element(weights, weights + w.dim(2)) - weights;
                QCOMPARE(top, std::max_element(scores, scores + s.dim(2)) - scores);
                meanLargest += *std::max_element(weights, weights + w.dim(2)) / double(w.dim(0) * w.dim(1));
            }
            QVERIFY2(meanLargest > previous, qPrintable(QStringLiteral("T=%1").arg(double(temperature))));
            previous = meanLargest;
        }
        QVERIFY2(previous > 0.99, qPrintable(QString::number(previous)));
    }

    void hotTemperatureTendsToUniform()
    {
        double previous = std::numeric_limits<double>::infinity();
        for (float temperature : {1.0f, 10.0f, 100.0f, 1000.0f}) {
            const Run run = runBoth({.queries = 40, .dModel = 16, .heads = 2, .dk = 8, .temperature = temperature});
            const attn::Tensor& w = run.blas.weights;
            double worst = 0.0; // largest |weight · keys - 1|
            for (float weight : w.data)
                worst = std::max(worst, std::abs(double(weight) * double(w.dim(2)) - 1.0));
            QVERIFY2(worst < previous, qPrintable(QStringLiteral("T=%1").arg(double(temperature))));
            previous = worst;
        }
        QVERIFY2(previous < 0.01, qPrintable(QString::number(previous)));
    }

    void rowWithNoFiniteScoreIsAllZeros()
    {
        const float inf = std::numeric_limits<float>::infinity();
        const std::vector<float> scores{-inf, -inf, -inf, 1.0f, -inf, 2.0f};
        std::vector<float> weights(scores.size(), 7.0f);
        attn::scaleMaskSoftmaxRows(scores.data(), weights.data(), 1, 3, 0, 1.0f, false); // sees only -inf
        attn::scaleMaskSoftmaxRows(scores.data() + 3, weights.data() + 3, 1, 3, 0, 1.0f, false);
        for (int j = 0; j < 3; ++j)
            QCOMPARE(weights[std::size_t(j)], 0.0f);
        QCOMPARE(weights[4], 0.0f); // a -inf score beside finite ones
        QVERIFY(std::abs(weights[3] + weights[5] - 1.0f) < 1e-6f);
    }

    void nanScoreMakesItsRowNaN()
    {
        const std::vector<float> scores{1.0f, std::numeric_limits<float>::quiet_NaN(), 2.0f, 0.5f, 0.25f, 3.0f};
        std::vector<float> weights(scores.size());
        attn::scaleMaskSoftmaxRows(scores.data(), weights.data(), 2, 3, 0, 1.0f, false);
        for (int j = 0; j < 3; ++j)
            QVERIFY(std::isnan(weights[std::size_t(j)]));
        for (int j = 3; j < 6; ++j)
            QVERIFY(std::isfinite(weights[std::size_t(j)]));
    }

    void softmaxMatchesDoublePrecision_data()
    {
        QTest::addColumn<int>("keys");
        QTest::addColumn<bool>("causal");
        QTest::addColumn<float>("scale");
        for (int keys : {1, 2, 15, 16, 17, 31, 33, 100, 257})
            for (bool causal : {false, true}) {
                const QByteArray name = "keys " + QByteArray::number(keys) + (causal ? " causal" : "");
                QTest::newRow(name.constData()) << keys << causal << 0.3f;
            }
        QTest::newRow("large scale") << 64 << false << 40.0f;
    }

    void softmaxMatchesDoublePrecision()
    {
        QFETCH(int, keys);
        QFETCH(bool, causal);
        QFETCH(float, scale);
        const std::size_t rows = 40;
        std::mt19937 random{std::uint32_t(keys)};
        std::normal_distribution<float> normal(0.0f, 3.0f);
        std::vector<float> scores(rows * std::size_t(keys)), weights(scores.size());
        for (float& s : scores)
            s = normal(random);
        const std::size_t firstQuery = 5; // rows are queries 5, 6, ...
        attn::scaleMaskSoftmaxRows(scores.data(), weights.data(), rows, std::size_t(keys), firstQuery, scale, causal);
        for (std::size_t r = 0; r < rows; ++r) {
            const std::vector<float> row(scores.begin() + std::ptrdiff_t(r * std::size_t(keys)),
                                         scores.begin() + std::ptrdiff_t((r + 1) * std::size_t(keys)));
            const std::size_t visible = causal ? std::min(std::size_t(keys), firstQuery + r + 1) : std::size_t(keys);
            const std::vector<double> want = softmaxInDouble(row, scale, visible);
            for (std::size_t j = 0; j < std::size_t(keys); ++j) {
                const double got = weights[r * std::size_t(keys) + j];
                // A few float roundings: of s·scale (amplified by exp), exp itself, the sum.
                const double eps = 4e-7 * (1.0 + std::abs(double(row[j]) * double(scale)));
                // Below e^-87 ≈ 1.6e-38 the kernel flushes to 0 rather than go subnormal.
                QVERIFY2(std::abs(got - want[j]) <= eps * want[j] + 1.7e-38,
                         qPrintable(QStringLiteral("row %1 key %2: %3 vs %4").arg(r).arg(j).arg(got, 0, 'g', 9).arg(want[j], 0, 'g', 9)));
            }
        }
    }

    void tilesCoverTheProductExactlyOnce()
    {
        for (const std::size_t rows : {1, 7, 31, 128, 333, 512, 2048})
            for (const std::size_t cols : {1, 16, 48, 200, 768})
                for (const std::size_t quantum : {1, 16, 64})
                    for (const unsigned workers : {1u, 2u, 3u, 8u}) {
                        const attn::team::Tiling tiling(rows, cols, quantum, workers);
                        std::vector<int> covered(rows * cols, 0);
                        for (std::size_t tile = 0; tile < tiling.count(); ++tile) {
                            QVERIFY(tiling.firstCol(tile) % quantum == 0);
                            for (std::size_t i = tiling.firstRow(tile); i < tiling.lastRow(tile); ++i)
                                for (std::size_t j = tiling.firstCol(tile); j < tiling.lastCol(tile); ++j)
                                    ++covered[i * cols + j];
                        }
                        QVERIFY2(std::all_of(covered.begin(), covered.end(), [](int times) { return times == 1; }),
                                 qPrintable(QStringLiteral("%1 x %2, quantum %3, %4 workers").arg(rows).arg(cols).arg(quantum).arg(workers)));
                        QVERIFY(tiling.count() <= std::max(1u, 2 * workers));
                    }
    }

    // An exception in a worker reaches the caller once the team is done, the first one
    // thrown, and every other item is still done.
    void aTeamHandsItsFirstFailureToTheCaller()
    {
        attn::team::FirstFailure failure;
        QVERIFY(!failure.happened());
        failure.rethrow(); // nothing to rethrow yet
        std::atomic<int> done{0};
        attn::team::WorkQueue queue(8);
        attn::team::runTeam(2, [&] {
            queue.drain([&](std::size_t item) {
                try {
                    if (item == 3)
                        throw std::runtime_error("item 3");
                    ++done;
                } catch (...) {
                    failure.capture();
                }
            });
        });
        QVERIFY(failure.happened());
        QCOMPARE(done.load(), 7);
        try {
            failure.rethrow();
            QFAIL("the failure was not rethrown");
        } catch (const std::runtime_error& e) {
            QCOMPARE(std::string(e.what()), std::string("item 3"));
        }
    }

    // sgemm packs the weights once per row tile, so many rows are cut by rows alone; few
    // rows by columns, so that the weights are packed once in all.
    void tilingCutsManyRowsByRowsAndFewByColumns()
    {
        const attn::team::Tiling tall(2048, 768, 64, 2), wide(32, 768, 64, 2);
        QCOMPARE(tall.rowTiles, std::size_t(4));
        QCOMPARE(tall.colTiles, std::size_t(1));
        QCOMPARE(wide.rowTiles, std::size_t(1));
        QCOMPARE(wide.colTiles, std::size_t(4));
    }

    void expIsWithinTwoUlpAndHandlesTheEdges()
    {
        const auto ulp = [](float x) { return std::nextafter(x, std::numeric_limits<float>::infinity()) - x; };
        for (double x = -87.0; x <= 0.0; x += 0.0137) {
            const float got = attn::expNonPositive(float(x));
            const float want = float(std::exp(double(float(x))));
            QVERIFY2(std::abs(got - want) <= 2.0f * ulp(want),
                     qPrintable(QStringLiteral("exp(%1) = %2, want %3").arg(x).arg(double(got), 0, 'g', 9).arg(double(want), 0, 'g', 9)));
        }
        QCOMPARE(attn::expNonPositive(0.0f), 1.0f);
        QCOMPARE(attn::expNonPositive(-100.0f), 0.0f);
        QCOMPARE(attn::expNonPositive(-std::numeric_limits<float>::infinity()), 0.0f);
        QVERIFY(std::isnan(attn::expNonPositive(std::numeric_limits<float>::quiet_NaN())));
    }
};

QTEST_GUILESS_MAIN(TestBlasBackend)
#include "test_blas_backend.moc"
