// Every backend against PyTorch: each case folder under fixtures/attention holds a layer, its
// inputs and the trace torch computed (tests/fixtures/make_fixtures.py). Every trace tensor
// must match within float32 tolerance, on every backend, with the shapes the layer implies.
#include "attn/backend_choice.h"
#include "attn/config.h"
#include "attn/engine.h"
#include "attn/error.h"
#include "attn/npy.h"
#include "attn/safetensors.h"
#include "vulkan/validation_log.h"

#include <QDir>
#include <QFileInfo>
#include <QStringList>
#include <QTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace {

// Absolute for values near zero, relative for large ones.
constexpr double absoluteTolerance = 1e-5;
constexpr double relativeTolerance = 1e-4;

const char* const requiredFiles[] = {"case.json", "layer.safetensors", "inputs.npy", "q.npy", "k.npy", "v.npy",
                                     "scores.npy", "weights.npy", "heads.npy", "output.npy"};

QString attentionDir()
{
    return QStringLiteral(ATTN_FIXTURES_DIR "/attention");
}

QStringList caseNames()
{
    return QDir(attentionDir()).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
}

std::string fileOf(const QString& caseName, const char* file)
{
    return QString(attentionDir() + u'/' + caseName + u'/' + QLatin1String(file)).toStdString();
}

struct FixtureCase {
    int heads = 0;
    bool causal = false;
    bool cross = false;
    attn::Scaling scaling = attn::Scaling::InvSqrtDk;
    float temperature = 1.0f;
};

FixtureCase readCase(const QString& caseName)
{
    const std::string path = fileOf(caseName, "case.json");
    std::ifstream file(path);
    if (!file)
        throw attn::Error(path + ": cannot be opened.");
    const nlohmann::json json = nlohmann::json::parse(file);
    FixtureCase result;
    result.heads = json.at("heads").get<int>();
    result.causal = json.at("causal").get<bool>();
    result.cross = json.at("cross").get<bool>();
    result.scaling = attn::scalingFromString(json.at("scale").get<std::string>());
    result.temperature = json.at("temperature").get<float>();
    return result;
}

// The case as the engine should run it, on one backend.
attn::Request requestFor(const QString& caseName, const FixtureCase& fixture, attn::BackendKind backend)
{
    attn::Request request;
    request.backend = backend;
    request.config.causal = fixture.causal;
    request.config.scaling = fixture.scaling;
    request.config.temperature = fixture.temperature;
    request.weights = std::make_shared<const attn::LayerWeights>(
        attn::readLayerWeights(fileOf(caseName, "layer.safetensors"), fixture.heads));
    request.inputs = std::make_shared<const attn::Tensor>(attn::readNpy(fileOf(caseName, "inputs.npy")));
    if (fixture.cross)
        request.sourceInputs = std::make_shared<const attn::Tensor>(attn::readNpy(fileOf(caseName, "source_inputs.npy")));
    return request;
}

QString shapeText(const std::vector<std::size_t>& shape)
{
    return QString::fromStdString(attn::Tensor::shapeText(shape));
}

// "[1, 3, 2]": the position of a flat row-major index.
QString indexText(std::size_t flat, const std::vector<std::size_t>& shape)
{
    std::vector<std::size_t> index(shape.size());
    for (std::size_t axis = shape.size(); axis-- > 0;) {
        index[axis] = flat % shape[axis];
        flat /= shape[axis];
    }
    QStringList parts;
    for (std::size_t i : index)
        parts << QString::number(i);
    return u'[' + parts.join(QStringLiteral(", ")) + u']';
}

// Empty when the tensors agree; otherwise what differs, where, and by how much.
QString compare(const QString& where, const char* name, const attn::Tensor& actual, const attn::Tensor& expected)
{
    const QString label = where + u' ' + QLatin1String(name);
    if (actual.shape != expected.shape)
        return label + QStringLiteral(": shape ") + shapeText(actual.shape) + QStringLiteral(", expected ")
               + shapeText(expected.shape);
    if (actual.data.size() != expected.data.size())
        return label + QStringLiteral(": holds ") + QString::number(actual.data.size()) + QStringLiteral(" values for shape ")
               + shapeText(actual.shape);
    std::size_t bad = 0;
    std::size_t first = 0;
    for (std::size_t i = 0; i < expected.data.size(); ++i) {
        const double want = expected.data[i];
        const double got = actual.data[i];
        // Written so that a NaN counts as a mismatch.
        if (!(std::abs(got - want) <= absoluteTolerance + relativeTolerance * std::abs(want))) {
            if (bad++ == 0)
                first = i;
        }
    }
    if (bad == 0)
        return {};
    return label + QStringLiteral(" ") + shapeText(expected.shape) + QStringLiteral(": ") + QString::number(bad)
           + QStringLiteral(" values off; first at ") + indexText(first, expected.shape) + QStringLiteral(": got ")
           + QString::number(actual.data[first], 'g', 9) + QStringLiteral(", expected ")
           + QString::number(expected.data[first], 'g', 9);
}

} // namespace

class FixturesTest : public QObject {
    Q_OBJECT

private:
    QString m_vulkanMissing; // why Vulkan cannot run here; empty when it can

private slots:
    // A validation message (the layer is on: ATTN_VULKAN_VALIDATION in CMakeLists.txt)
    // fails the test whose Vulkan passes caused it.
    void cleanup()
    {
        const std::vector<std::string> messages = attn::vulkan::takeValidationMessages();
        QVERIFY2(messages.empty(), messages.empty() ? "" : messages.front().c_str());
    }

    void initTestCase()
    {
        try {
            attn::makeBackend(attn::BackendKind::Vulkan);
        } catch (const attn::Error& error) {
            m_vulkanMissing = QString::fromUtf8(error.what());
        }
    }

    void cleanupTestCase()
    {
        if (m_vulkanMissing.isEmpty())
            QVERIFY2(attn::vulkan::validationWasEnabled(), "the Vulkan passes ran without the validation layer");
    }

    void everyCaseFolderHoldsItsFiles()
    {
        const QStringList cases = caseNames();
        QVERIFY2(!cases.isEmpty(), qPrintable(QStringLiteral("no case folders in ") + attentionDir()
                                              + QStringLiteral("; run tests/fixtures/make_fixtures.py")));
        for (const QString& caseName : cases) {
            bool cross = false;
            try {
                cross = readCase(caseName).cross;
            } catch (const std::exception& error) {
                QFAIL(qPrintable(caseName + QStringLiteral(": ") + QString::fromUtf8(error.what())));
            }
            for (const char* file : requiredFiles)
                QVERIFY2(QFileInfo::exists(QString::fromStdString(fileOf(caseName, file))),
                         qPrintable(caseName + QStringLiteral(" lacks ") + QLatin1String(file)));
            if (cross)
                QVERIFY2(QFileInfo::exists(QString::fromStdString(fileOf(caseName, "source_inputs.npy"))),
                         qPrintable(caseName + QStringLiteral(" is cross-attention but lacks source_inputs.npy")));
        }
    }

    void traceMatchesPyTorch_data()
    {
        QTest::addColumn<QString>("caseName");
        QTest::addColumn<QString>("backend");
        for (const QString& caseName : caseNames())
            for (const char* backend : {"reference", "blas", "vulkan"})
                QTest::newRow(qPrintable(caseName + u'/' + QLatin1String(backend))) << caseName << QString::fromLatin1(backend);
    }

    void traceMatchesPyTorch()
    {
        QFETCH(QString, caseName);
        QFETCH(QString, backend);
        const attn::BackendKind kind = attn::backendKindFromString(backend.toStdString());
        if (kind == attn::BackendKind::Vulkan && !m_vulkanMissing.isEmpty())
            QSKIP(qPrintable(QStringLiteral("no Vulkan backend here: ") + m_vulkanMissing));
        const QString where = caseName + u'/' + backend;

        FixtureCase fixture;
        attn::Request request;
        std::shared_ptr<const attn::Trace> trace;
        try {
            fixture = readCase(caseName);
            request = requestFor(caseName, fixture, kind);
            attn::Engine engine;
            trace = engine.run(request);
        } catch (const std::exception& error) {
            QFAIL(qPrintable(where + QStringLiteral(": ") + QString::fromUtf8(error.what())));
        }
        const attn::Trace& t = *trace;
        QVERIFY2(t.backend == backend.toStdString(),
                 qPrintable(where + QStringLiteral(" ran on ") + QString::fromStdString(t.backend)
                            + QStringLiteral(": ") + QString::fromStdString(t.fallbackReason)));
        QCOMPARE(t.isCross(), fixture.cross);

        // The shapes the layer and the inputs imply, independent of the expected files.
        const attn::LayerWeights& w = *request.weights;
        const std::size_t h = std::size_t(fixture.heads), dk = std::size_t(w.d_k), dv = std::size_t(w.d_v);
        const std::size_t nq = request.inputs->dim(0);
        const std::size_t nk = fixture.cross ? request.sourceInputs->dim(0) : nq;
        const std::size_t dm = std::size_t(w.d_model);
        const std::pair<const char*, const attn::Tensor*> produced[] = {
            {"q", &t.q}, {"k", &t.k}, {"v", &t.v}, {"scores", &t.scores},
            {"weights", &t.weights}, {"heads", &t.heads}, {"output", &t.output}};
        const std::vector<std::size_t> implied[] = {{h, nq, dk}, {h, nk, dk}, {h, nk, dv}, {h, nq, nk},
                                                   {h, nq, nk}, {h, nq, dv}, {nq, dm}};
        static_assert(std::size(produced) == std::size(implied));

        QStringList failures;
        for (std::size_t i = 0; i < std::size(produced); ++i) {
            const auto& [name, tensor] = produced[i];
            if (tensor->shape != implied[i]) {
                failures << where + u' ' + QLatin1String(name) + QStringLiteral(": shape ") + shapeText(tensor->shape)
                                + QStringLiteral(", the layer implies ") + shapeText(implied[i]);
                continue;
            }
            const std::string expectedPath = fileOf(caseName, (std::string(name) + ".npy").c_str());
            try {
                if (QString problem = compare(where, name, *tensor, attn::readNpy(expectedPath)); !problem.isEmpty())
                    failures << problem;
            } catch (const attn::Error& error) {
                failures << where + u' ' + QLatin1String(name) + QStringLiteral(": ") + QString::fromUtf8(error.what());
            }
        }
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(u'\n')));
    }
};

QTEST_GUILESS_MAIN(FixturesTest)
#include "test_fixtures.moc"
