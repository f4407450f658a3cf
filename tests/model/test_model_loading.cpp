// Opening Hugging Face model folders: the fixtures load with the sizes of their config, and
// every malformed folder (built in a temporary copy) is refused with an attn::Error that
// names the file and the problem.
#include "attn/error.h"
#include "attn/model/model.h"
#include "attn/model/model_session.h"
#include "attn/safetensors.h"
#include "model_test_util.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <cstring>
#include <limits>
#include <filesystem>
#include <functional>

#include <sys/stat.h>

using namespace attn;
using modeltest::fixture;

namespace {

namespace fs = std::filesystem;

// A writable copy of a fixture model folder.
struct FolderCopy {
    QTemporaryDir dir;
    std::string path;

    explicit FolderCopy(const char* model)
    {
        path = dir.path().toStdString() + "/" + model;
        fs::copy(fixture(model), path, fs::copy_options::recursive);
    }
    std::string file(const char* name) const { return path + "/" + name; }
};

void editConfig(const std::string& path, const std::function<void(QJsonObject&)>& edit)
{
    QJsonObject config = modeltest::readJson(path);
    edit(config);
    QFile file(QString::fromStdString(path));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(QJsonDocument(config).toJson());
}

// Replaces `from` by `to` (same length) in the file's bytes: a tensor renamed in the header.
void replaceBytes(const std::string& path, const QByteArray& from, const QByteArray& to)
{
    QFile file(QString::fromStdString(path));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QByteArray bytes = file.readAll();
    file.close();
    QVERIFY(bytes.contains(from));
    QCOMPARE(from.size(), to.size());
    bytes.replace(from, to);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(bytes);
}

// Adds an I64 tensor [1 x count] holding 0..count-1 to a .safetensors file, as real BERT
// checkpoints hold "bert.embeddings.position_ids".
void addInt64Tensor(const std::string& path, const QString& name, qint64 count)
{
    QFile file(QString::fromStdString(path));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    file.close();
    quint64 headerLength = 0;
    std::memcpy(&headerLength, bytes.constData(), 8);
    QJsonObject header = QJsonDocument::fromJson(bytes.mid(8, qsizetype(headerLength))).object();
    const QByteArray data = bytes.mid(8 + qsizetype(headerLength));
    QByteArray ids;
    for (qint64 i = 0; i < count; ++i)
        ids.append(reinterpret_cast<const char*>(&i), sizeof i);
    header[name] = QJsonObject{{QStringLiteral("dtype"), QStringLiteral("I64")},
                               {QStringLiteral("shape"), QJsonArray{1, count}},
                               {QStringLiteral("data_offsets"), QJsonArray{data.size(), data.size() + ids.size()}}};
    QByteArray text = QJsonDocument(header).toJson(QJsonDocument::Compact);
    text.append(QByteArray((8 - text.size() % 8) % 8, ' '));
    const quint64 newLength = quint64(text.size());
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(reinterpret_cast<const char*>(&newLength), 8);
    file.write(text);
    file.write(data);
    file.write(ids);
}

// The message of the error loading the folder gives; fails the test when it loads.
QString loadError(const std::string& folder)
{
    try {
        Model::load(folder);
    } catch (const Error& e) {
        return QString::fromUtf8(e.what());
    }
    return QStringLiteral("<loaded without error>");
}

} // namespace

class TestModelLoading : public QObject {
    Q_OBJECT

private slots:
    void gpt2FolderLoadsWithConfigSizes()
    {
        const auto model = Model::load(fixture("gpt2-tiny"));
        const ModelConfig& c = model->config();
        QVERIFY(c.architecture == Architecture::Gpt2);
        QCOMPARE(c.layers, 2);
        QCOMPARE(c.heads, 4);
        QCOMPARE(c.d_model, 32);
        QCOMPARE(c.d_ff, 128);
        QCOMPARE(c.maxPositions, 64);
        QCOMPARE(model->weights().blocks.size(), std::size_t(2));
        QCOMPARE(model->weights().blocks[0].attention.w_q.shapeText(), std::string("[32 x 32]"));
        QCOMPARE(model->name(), std::string("gpt2-tiny"));
        QVERIFY(model->description().find("GPT-2, 2 layers x 4 heads") != std::string::npos);
        // Under a million parameters, in thousands (rounded up) rather than "0.0M".
        QVERIFY(model->parameterCount() < 1000000);
        const std::string thousands = std::to_string((model->parameterCount() + 999) / 1000) + "k parameters";
        QVERIFY2(model->description().find(thousands) != std::string::npos, model->description().c_str());
    }

    void gpt2ConvWeightsAreTransposedIntoLinearLayout()
    {
        // Conv1D stores [in x out] with c_attn's columns q | k | v; nn.Linear is [out x in].
        const auto model = Model::load(fixture("gpt2-tiny"));
        const auto raw = readSafetensors(fixture("gpt2-tiny/model.safetensors"));
        const Tensor& cAttn = raw.at("h.1.attn.c_attn.weight");
        const Tensor& cAttnBias = raw.at("h.1.attn.c_attn.bias");
        const Tensor& cFc = raw.at("h.1.mlp.c_fc.weight");
        const TransformerBlock& b = model->weights().blocks[1];
        for (std::size_t o = 0; o < 32; ++o) {
            for (std::size_t i = 0; i < 32; ++i) {
                QCOMPARE(b.attention.w_q.at(o, i), cAttn.at(i, o));
                QCOMPARE(b.attention.w_k.at(o, i), cAttn.at(i, 32 + o));
                QCOMPARE(b.attention.w_v.at(o, i), cAttn.at(i, 64 + o));
            }
            QCOMPARE(b.attention.b_v.data[o], cAttnBias.data[64 + o]);
        }
        for (std::size_t o = 0; o < 128; ++o)
            QCOMPARE(b.ffnInWeight.at(o, 5), cFc.at(5, o));
    }

    void bertFolderWithPrefixedNamesLoads()
    {
        const auto model = Model::load(fixture("bert-tiny"));
        QVERIFY(model->config().architecture == Architecture::Bert);
        QCOMPARE(model->config().typeVocabSize, 2);
        QCOMPARE(model->weights().blocks[1].ffnInWeight.shapeText(), std::string("[64 x 32]"));
    }

    // Integer buffers the engine does not use are skipped, never converted; the layer
    // reader, which converts every tensor it takes, still refuses integers by name.
    void integerBuffersTheModelDoesNotUseAreSkipped()
    {
        FolderCopy copy("bert-tiny");
        addInt64Tensor(copy.file("model.safetensors"), QStringLiteral("bert.embeddings.position_ids"), 64);
        if (QTest::currentTestFailed())
            return;
        const auto withIds = Model::load(copy.path);
        const auto plain = Model::load(fixture("bert-tiny"));
        QCOMPARE(withIds->weights().positionEmbedding.data, plain->weights().positionEmbedding.data);
        QCOMPARE(withIds->weights().blocks[1].ffnOutWeight.data, plain->weights().blocks[1].ffnOutWeight.data);
        try {
            readSafetensors(copy.file("model.safetensors"));
            QFAIL("an I64 tensor was converted to float");
        } catch (const Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("position_ids' has dtype I64")), e.what());
        }
    }

    void malformedFolderIsRefusedClearly_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QStringList>("expected"); // every part must appear in the message
        auto row = [](const char* name, const char* model, const char* damage, std::initializer_list<const char*> parts) {
            QStringList expected;
            for (const char* p : parts)
                expected << QString::fromUtf8(p);
            QTest::newRow(name) << QString::fromUtf8(model) << QString::fromUtf8(damage) << expected;
        };
        row("missing folder", "gpt2-tiny", "no-folder", {"no such folder"});
        row("missing config.json", "gpt2-tiny", "remove config.json", {"config.json", "not a Hugging Face model folder"});
        row("missing model.safetensors", "gpt2-tiny", "remove model.safetensors", {"model.safetensors"});
        row("pytorch_model.bin only", "gpt2-tiny", "bin instead", {"pytorch_model.bin", ".safetensors"});
        row("missing merges.txt", "gpt2-tiny", "remove merges.txt", {"merges.txt", "tokenizer"});
        row("missing vocab.txt", "bert-tiny", "remove vocab.txt", {"vocab.txt"});
        row("config wider than the tensors", "gpt2-tiny", "n_embd 48", {"model.safetensors", "wte.weight", "x 48]", "config.json"});
        row("config with more layers", "gpt2-tiny", "n_layer 3", {"model.safetensors", "h.2.ln_1.weight", "n_layer 3"});
        // The model would run on, its last layers left out, without a word.
        row("config with fewer layers", "gpt2-tiny", "n_layer 1", {"model.safetensors", "h.1.", "n_layer 1", "not of the same model"});
        row("bert config with fewer layers", "bert-tiny", "num_hidden_layers 1",
            {"model.safetensors", "encoder.layer.1.", "num_hidden_layers 1"});
        // Not millions of empty layers made before a tensor is looked for.
        row("config with millions of layers", "gpt2-tiny", "n_layer 9000000",
            {"model.safetensors", "too few for the 9000000 layers", "not of the same model"});
        row("bert config disagrees", "bert-tiny", "intermediate_size 80", {"bert.encoder.layer.0.intermediate.dense.weight", "[80 x 32]"});
        row("missing tensor", "gpt2-tiny", "rename h.1.ln_2.bias", {"model.safetensors", "h.1.ln_2.bias", "transformer.h.1.ln_2.bias"});
        row("truncated weights", "gpt2-tiny", "truncate", {"model.safetensors"});
        row("unsupported architecture", "gpt2-tiny", "model_type llama", {"config.json", "llama", "gpt2", "bert"});
        row("no model_type at all", "gpt2-tiny", "no model_type", {"config.json", "no model_type", "Supported"});
        row("heads do not divide width", "gpt2-tiny", "n_head 5", {"config.json", "5 heads"});
        row("config is not JSON", "bert-tiny", "garbage config", {"config.json", "not valid JSON (parse error at line 1"});
        // Said in the reader's words: once with nlohmann's "[json.exception.out_of_range.406]".
        row("config with a number past double's range", "gpt2-tiny", "overflowing config",
            {"config.json", "not valid JSON (number overflow parsing '1e400')"});
        row("weights that are a folder", "gpt2-tiny", "folder weights", {"model.safetensors", "is a folder, not a file"});
        // Opening a FIFO for reading waits for a writer: it once hung the program for good.
        row("weights that are a FIFO", "gpt2-tiny", "fifo weights", {"model.safetensors", "is a pipe (FIFO), not a file"});
        // An honest checkpoint of such a model would take all memory as it is converted.
        row("a model too large for memory", "gpt2-tiny", "giant",
            {"config.json", "whose weights take", "as float32, more than the", "a model may take"});
        row("positions past the limit", "gpt2-tiny", "n_positions 20000000", {"n_positions", "from 1 to 10000000"});
        row("tokenizer larger than embedding", "gpt2-tiny", "vocab_size 100",
            {"vocab_size of 100 allows ids up to 99 only", "another model"});
        // Not a table of two billion names made (out of memory) before the id is judged.
        row("vocabulary id of billions", "gpt2-tiny", "id 2000000000",
            {"vocab.json", "\"zzzz\" is 2000000000, past the largest a vocabulary may use"});
        row("vocabulary id past 32 bits", "gpt2-tiny", "id 1099511627776", {"vocab.json", "1099511627776, past the largest"});
        row("negative vocabulary id", "gpt2-tiny", "id -3", {"vocab.json", "\"zzzz\" is -3, not a whole number from 0"});
        row("bad merges line", "gpt2-tiny", "bad merge", {"merges.txt", "line 2"});
        // Weights are converted on several threads; the first bad one in the model's order is named.
        row("NaN in two weights", "gpt2-tiny", "nan", {"model.safetensors", "h.0.attn.c_attn.weight", "NaN"});
    }
    void malformedFolderIsRefusedClearly()
    {
        QFETCH(QString, model);
        QFETCH(QString, damage);
        QFETCH(QStringList, expected);
        FolderCopy copy(model.toUtf8().constData());
        std::string folder = copy.path;
        const auto config = copy.file("config.json");
        auto set = [&](const char* key, QJsonValue value) {
            editConfig(config, [&](QJsonObject& o) { o[QString::fromUtf8(key)] = value; });
        };
        if (damage == QStringLiteral("no-folder")) {
            folder += "-absent";
        } else if (damage.startsWith(QStringLiteral("remove "))) {
            fs::remove(copy.path + "/" + damage.mid(7).toStdString());
        } else if (damage == QStringLiteral("folder weights")) {
            fs::remove(copy.file("model.safetensors"));
            fs::create_directory(copy.file("model.safetensors"));
        } else if (damage == QStringLiteral("fifo weights")) {
            fs::remove(copy.file("model.safetensors"));
            QCOMPARE(::mkfifo(copy.file("model.safetensors").c_str(), 0600), 0);
        } else if (damage == QStringLiteral("giant")) { // 2 layers of 8192 x 10000000: 1.2 TiB
            set("n_embd", 8192);
            set("n_head", 8);
            set("n_inner", 10000000);
        } else if (damage == QStringLiteral("n_positions 20000000")) {
            set("n_positions", 20000000);
        } else if (damage == QStringLiteral("bin instead")) {
            fs::rename(copy.file("model.safetensors"), copy.file("pytorch_model.bin"));
        } else if (damage == QStringLiteral("n_embd 48")) {
            set("n_embd", 48);
        } else if (damage == QStringLiteral("n_layer 3")) {
            set("n_layer", 3);
        } else if (damage == QStringLiteral("n_layer 1")) {
            set("n_layer", 1);
        } else if (damage == QStringLiteral("num_hidden_layers 1")) {
            set("num_hidden_layers", 1);
        } else if (damage == QStringLiteral("n_layer 9000000")) {
            set("n_layer", 9000000);
        } else if (damage == QStringLiteral("intermediate_size 80")) {
            set("intermediate_size", 80);
        } else if (damage == QStringLiteral("rename h.1.ln_2.bias")) {
            replaceBytes(copy.file("model.safetensors"), "\"h.1.ln_2.bias\"", "\"h.1.ln_2.bia_\"");
        } else if (damage == QStringLiteral("truncate")) {
            fs::resize_file(copy.file("model.safetensors"), fs::file_size(copy.file("model.safetensors")) - 100);
        } else if (damage == QStringLiteral("model_type llama")) {
            set("model_type", QStringLiteral("llama"));
            set("architectures", QJsonArray{QStringLiteral("LlamaForCausalLM")});
        } else if (damage == QStringLiteral("no model_type")) {
            editConfig(config, [](QJsonObject& o) {
                o.remove(QStringLiteral("model_type"));
                o.remove(QStringLiteral("architectures"));
            });
        } else if (damage == QStringLiteral("n_head 5")) {
            set("n_head", 5);
        } else if (damage == QStringLiteral("overflowing config")) {
            QFile file(QString::fromStdString(config));
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write("{\"model_type\": \"gpt2\", \"n_embd\": 1e400}");
        } else if (damage == QStringLiteral("garbage config")) {
            QFile file(QString::fromStdString(config));
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write("{\"model_type\": \"bert\",");
        } else if (damage.startsWith(QStringLiteral("id "))) {
            editConfig(copy.file("vocab.json"), [&](QJsonObject& o) { o[u"zzzz"_qs] = damage.mid(3).toDouble(); });
        } else if (damage == QStringLiteral("vocab_size 100")) {
            set("vocab_size", 100);
        } else if (damage == QStringLiteral("nan")) {
            modeltest::setValue(copy.file("model.safetensors"), "h.1.mlp.c_proj.weight");
            modeltest::setValue(copy.file("model.safetensors"), "h.0.attn.c_attn.weight");
        } else if (damage == QStringLiteral("bad merge")) {
            QFile file(QString::fromStdString(copy.file("merges.txt")));
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write("#version: 0.2\nh e x\n");
        } else {
            QFAIL("unknown damage");
        }
        const QString message = loadError(folder);
        for (const QString& part : expected)
            QVERIFY2(message.contains(part), qPrintable(QStringLiteral("\"") + part + QStringLiteral("\" not in: ") + message));
    }

    // A finite weight so large that the products pass float32's range loads (it is a
    // number), but a run of it is refused rather than shown with NaN attention.
    void aModelWhoseProductsOverflowIsRefusedWhenRun()
    {
        FolderCopy copy("gpt2-tiny");
        modeltest::setValue(copy.file("model.safetensors"), "h.0.ln_1.weight", 1e30f); // q and k of about 1e28: q·k overflows
        const auto model = Model::load(copy.path);
        try {
            runModel(model, "The cat sat on the mat.");
            QFAIL("a run whose products overflow was shown");
        } catch (const Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(u"exceed float32's range"_qs), e.what());
        }
        QCOMPARE(runModel(Model::load(fixture("gpt2-tiny")), "The cat sat on the mat.")->tokenCount(), std::size_t(7));
    }

    // The same for the tied head's next-token logits: an embedding value near float32's
    // largest, times the last hidden state's largest element of the same sign, gives a
    // logit of +inf, so NaN probabilities.
    void aModelWhoseNextTokenLogitsOverflowIsRefusedWhenRun()
    {
        const char* text = "The cat sat on the mat.";
        const auto clean = runModel(Model::load(fixture("gpt2-tiny")), text);
        const std::size_t n = clean->tokenCount(), d = std::size_t(clean->config.d_model);
        const float* last = clean->hidden.ptr() + (clean->layerCount() * n + n - 1) * d;
        const auto byMagnitude = [](float a, float b) { return std::abs(a) < std::abs(b); };
        const std::size_t i = std::size_t(std::max_element(last, last + d, byMagnitude) - last);
        QVERIFY(std::abs(last[i]) > 1.2f); // so that 3e38 times it passes float32's largest

        FolderCopy copy("gpt2-tiny");
        modeltest::setValue(copy.file("model.safetensors"), "wte.weight", std::copysign(3e38f, last[i]), qint64(i));
        try {
            const auto trace = runModel(Model::load(copy.path), text);
            QFAIL(qPrintable(QStringLiteral("shown; first probability %1").arg(trace->nextToken.front().probability)));
        } catch (const Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(u"next-token logits exceed float32's range"_qs), e.what());
        }
    }

    void modelTypeFromArchitecturesWhenMissing()
    {
        FolderCopy copy("gpt2-tiny");
        editConfig(copy.file("config.json"), [](QJsonObject& o) { o.remove(QStringLiteral("model_type")); });
        QVERIFY(Model::load(copy.path)->config().architecture == Architecture::Gpt2);
    }

    void tokenizerJsonIsPreferredWhenPresent()
    {
        FolderCopy copy("gpt2-tiny");
        fs::remove(copy.file("vocab.json"));
        fs::remove(copy.file("merges.txt"));
        fs::copy_file(fixture("tokenizer-json/gpt2/tokenizer.json"), copy.file("tokenizer.json"));
        const auto fromJson = Model::load(copy.path);
        const auto fromFiles = Model::load(fixture("gpt2-tiny"));
        QCOMPARE(fromJson->tokenizer().encode("The café 🙂"), fromFiles->tokenizer().encode("The café 🙂"));
    }
};

QTEST_GUILESS_MAIN(TestModelLoading)
#include "test_model_loading.moc"
