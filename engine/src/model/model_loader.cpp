// Model::load: a Hugging Face folder into ModelConfig + ModelWeights + tokenizer, with every
// tensor found under its Hugging Face name and checked against the config.
#include "attn/model/bpe_tokenizer.h"
#include "attn/model/model.h"
#include "attn/model/wordpiece_tokenizer.h"

#include "attn/error.h"
#include "formats/safetensors_file.h"
#include "message_text.h"
#include "text_files.h"
#include "thread_team.h"

#include <deque>
#include <exception>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include <unistd.h>

namespace attn {

namespace {

namespace fs = std::filesystem;

// The memory-mapped checkpoint file(s): the header is checked when opened; a tensor is
// converted to float32 when the model asks for it, so tensors it does not use (integer
// buffers such as BERT's position_ids) are never read.
struct Checkpoint {
    std::deque<formats::SafetensorsFile> files; // a deque: entries point into its elements
    std::map<std::string, std::pair<const formats::SafetensorsFile*, const formats::SafetensorsEntry*>> entries;
    std::string fileName; // for messages: model.safetensors or the index

    void add(const std::string& path)
    {
        const formats::SafetensorsFile& file = files.emplace_back(path);
        for (const formats::SafetensorsEntry& entry : file.entries())
            entries.emplace(entry.name, std::pair{&file, &entry}); // a name in two shards: the first wins
    }
};

// The tensors of the checkpoint, handed out by Hugging Face name with the prefixes that
// checkpoints of the same architecture use ("transformer.", "bert.", "distilbert.").
class TensorSource {
public:
    TensorSource(const Checkpoint& checkpoint, std::vector<std::string> prefixes, std::string sizes)
        : m_checkpoint(checkpoint), m_prefixes(std::move(prefixes)), m_sizes(std::move(sizes)) {}

    Tensor take(const std::string& name, const std::vector<std::size_t>& shape)
    {
        const auto [file, entry] = find(name, shape);
        return file->toFloat32(*entry);
    }

    // The large matrices: found (and their shapes checked) now, in the caller's order, so
    // that a broken checkpoint always names the same tensor first; converted by convertAll(),
    // on every core, into `into`, which must stay where it is until then.
    void takeLater(Tensor& into, const std::string& name, const std::vector<std::size_t>& shape)
    {
        const auto [file, entry] = find(name, shape);
        m_pending.push_back({&into, file, entry, false, 0, 0});
    }

    // A Conv1D weight of this shape [in x out], as nn.Linear's [out x in] weight of its
    // output columns [first, first + count); converted by convertAll() as takeLater's.
    void takeColumnsLater(Tensor& into, const std::string& name, const std::vector<std::size_t>& shape,
                          std::size_t first, std::size_t count)
    {
        const auto [file, entry] = find(name, shape);
        m_pending.push_back({&into, file, entry, true, first, count});
    }

    // Most of opening a model is converting, and the fresh pages it writes: both scale with
    // the cores. The first failure in the order of the takes is the one reported.
    void convertAll()
    {
        std::vector<std::exception_ptr> failures(m_pending.size());
        team::WorkQueue work(m_pending.size());
        team::runTeam(std::max(1u, std::thread::hardware_concurrency()), [&] {
            work.drain([&](std::size_t i) {
                const Pending& p = m_pending[i];
                try {
                    *p.into = p.columns ? p.file->columnsToFloat32(*p.entry, p.first, p.count) : p.file->toFloat32(*p.entry);
                } catch (...) {
                    failures[i] = std::current_exception();
                }
            });
        });
        m_pending.clear();
        for (const std::exception_ptr& failure : failures)
            if (failure)
                std::rethrow_exception(failure);
    }

    // A tensor whose name (under any of the prefixes) starts with `start`, if any.
    std::optional<std::string> anyUnder(const std::string& start) const
    {
        for (const auto& [name, where] : m_checkpoint.entries)
            for (const std::string& prefix : m_prefixes)
                if (name.rfind(prefix + start, 0) == 0)
                    return name;
        return std::nullopt;
    }

private:
    std::pair<const formats::SafetensorsFile*, const formats::SafetensorsEntry*>
    find(const std::string& name, const std::vector<std::size_t>& shape) const
    {
        const std::string& fileName = m_checkpoint.fileName;
        std::vector<std::string> tried;
        for (const std::string& candidate : candidates(name)) {
            for (const std::string& prefix : m_prefixes) {
                tried.push_back(prefix + candidate);
                const auto it = m_checkpoint.entries.find(prefix + candidate);
                if (it == m_checkpoint.entries.end())
                    continue;
                if (it->second.second->shape != shape)
                    throw Error(fileName + ": tensor \"" + prefix + candidate + "\" has shape "
                                + Tensor::shapeText(it->second.second->shape) + " but config.json (" + m_sizes
                                + ") needs " + Tensor::shapeText(shape)
                                + "; the config and the weights do not belong together.");
                return it->second;
            }
        }
        std::string also;
        for (std::size_t i = 1; i < tried.size(); ++i)
            also += (i == 1 ? " (nor \"" : ", \"") + tried[i] + "\"";
        throw Error(fileName + ": has no tensor \"" + tried.front() + "\"" + (also.empty() ? "" : also + ")")
                    + "; the file does not hold a complete model of the size config.json describes (" + m_sizes + ").");
    }

private:
    // Old BERT checkpoints name layer norm parameters gamma and beta.
    static std::vector<std::string> candidates(const std::string& name)
    {
        std::vector<std::string> names{name};
        const auto swap = [&](const std::string& from, const std::string& to) {
            if (name.size() > from.size() && name.compare(name.size() - from.size(), from.size(), from) == 0
                && name.find("LayerNorm") != std::string::npos)
                names.push_back(name.substr(0, name.size() - from.size()) + to);
        };
        swap(".weight", ".gamma");
        swap(".bias", ".beta");
        return names;
    }

    struct Pending {
        Tensor* into;
        const formats::SafetensorsFile* file;
        const formats::SafetensorsEntry* entry;
        bool columns;
        std::size_t first, count;
    };

    const Checkpoint& m_checkpoint;
    std::vector<std::string> m_prefixes;
    std::string m_sizes;
    std::vector<Pending> m_pending;
};

Tensor slice(const Tensor& v, std::size_t from, std::size_t count)
{
    Tensor out({count});
    std::copy(v.data.begin() + std::ptrdiff_t(from), v.data.begin() + std::ptrdiff_t(from + count), out.data.begin());
    return out;
}

// The start of the names of block `l`'s tensors, below the checkpoint's own prefix.
std::string blockPrefix(const ModelConfig& c, int l)
{
    switch (c.architecture) {
    case Architecture::Gpt2: return "h." + std::to_string(l) + ".";
    case Architecture::Bert: return "encoder.layer." + std::to_string(l) + ".";
    case Architecture::DistilBert: return "transformer.layer." + std::to_string(l) + ".";
    }
    return {};
}

LayerWeights attentionSizes(const ModelConfig& c)
{
    LayerWeights a;
    a.heads = c.heads;
    a.d_model = c.d_model;
    a.d_k = c.d_k();
    a.d_v = c.d_k();
    return a;
}

std::string sizesText(const ModelConfig& c)
{
    switch (c.architecture) {
    case Architecture::Gpt2:
        return "n_layer " + std::to_string(c.layers) + ", n_embd " + std::to_string(c.d_model) + ", n_positions "
               + std::to_string(c.maxPositions) + ", vocab_size " + std::to_string(c.vocabSize);
    case Architecture::Bert:
        return "num_hidden_layers " + std::to_string(c.layers) + ", hidden_size " + std::to_string(c.d_model)
               + ", intermediate_size " + std::to_string(c.d_ff) + ", vocab_size " + std::to_string(c.vocabSize);
    case Architecture::DistilBert:
        return "n_layers " + std::to_string(c.layers) + ", dim " + std::to_string(c.d_model) + ", hidden_dim "
               + std::to_string(c.d_ff) + ", vocab_size " + std::to_string(c.vocabSize);
    }
    return {};
}

// The float32 weights a model of these sizes holds (embeddings, then each block's attention,
// feed-forward and norms), refused before any is converted where they would not fit this
// machine's memory: an honest checkpoint of a giant model would otherwise take all of it.
void requireMemoryFor(const ModelConfig& c, const std::string& configPath)
{
    const long double d = c.d_model, ff = c.d_ff;
    const long double parameters = (static_cast<long double>(c.vocabSize) + c.maxPositions + c.typeVocabSize) * d
                                   + static_cast<long double>(c.layers) * (4 * d * d + 2 * d * ff + ff + 9 * d);
    const long double bytes = 4 * parameters;
    const long double memory = static_cast<long double>(::sysconf(_SC_PHYS_PAGES)) * ::sysconf(_SC_PAGE_SIZE);
    const long double usable = 0.8L * memory; // the rest for the run, the views and the system
    if (memory > 0 && bytes > usable)
        throw Error(configPath + " describes a model (" + sizesText(c) + ") whose weights take "
                    + gibText(std::uint64_t(std::min<long double>(bytes, 1e19L))) + " as float32, more than the "
                    + gibText(std::uint64_t(usable)) + " (80% of this machine's " + gibText(std::uint64_t(memory))
                    + " of memory) a model may take; use a smaller model.");
}

ModelWeights gpt2Weights(TensorSource& s, const ModelConfig& c)
{
    const auto d = std::size_t(c.d_model), ff = std::size_t(c.d_ff);
    ModelWeights w;
    w.blocks.resize(std::size_t(c.layers)); // in place: the later takes write into them
    s.takeLater(w.tokenEmbedding, "wte.weight", {std::size_t(c.vocabSize), d});
    s.takeLater(w.positionEmbedding, "wpe.weight", {std::size_t(c.maxPositions), d});
    for (int l = 0; l < c.layers; ++l) {
        const std::string p = blockPrefix(c, l);
        TransformerBlock& b = w.blocks[std::size_t(l)];
        b.norm1Weight = s.take(p + "ln_1.weight", {d});
        b.norm1Bias = s.take(p + "ln_1.bias", {d});
        // Conv1D stores [in x out] and computes x W + b; c_attn's output columns are q | k | v.
        const std::string qkv = p + "attn.c_attn.weight";
        b.attention = attentionSizes(c);
        s.takeColumnsLater(b.attention.w_q, qkv, {d, 3 * d}, 0, d);
        s.takeColumnsLater(b.attention.w_k, qkv, {d, 3 * d}, d, d);
        s.takeColumnsLater(b.attention.w_v, qkv, {d, 3 * d}, 2 * d, d);
        const Tensor qkvBias = s.take(p + "attn.c_attn.bias", {3 * d});
        b.attention.b_q = slice(qkvBias, 0, d);
        b.attention.b_k = slice(qkvBias, d, d);
        b.attention.b_v = slice(qkvBias, 2 * d, d);
        s.takeColumnsLater(b.attention.w_o, p + "attn.c_proj.weight", {d, d}, 0, d);
        b.attention.b_o = s.take(p + "attn.c_proj.bias", {d});
        b.norm2Weight = s.take(p + "ln_2.weight", {d});
        b.norm2Bias = s.take(p + "ln_2.bias", {d});
        s.takeColumnsLater(b.ffnInWeight, p + "mlp.c_fc.weight", {d, ff}, 0, ff);
        b.ffnInBias = s.take(p + "mlp.c_fc.bias", {ff});
        s.takeColumnsLater(b.ffnOutWeight, p + "mlp.c_proj.weight", {ff, d}, 0, d);
        b.ffnOutBias = s.take(p + "mlp.c_proj.bias", {d});
    }
    w.finalNormWeight = s.take("ln_f.weight", {d});
    w.finalNormBias = s.take("ln_f.bias", {d});
    s.convertAll();
    return w;
}

// The Hugging Face names, below a layer's prefix, of one encoder block's parameters
// (each without its ".weight" / ".bias"). BERT and DistilBERT blocks differ only in these.
struct EncoderBlockNames {
    const char* query;
    const char* key;
    const char* value;
    const char* attentionOut;
    const char* norm1;
    const char* ffnIn;
    const char* ffnOut;
    const char* norm2;
};

constexpr EncoderBlockNames kBertBlockNames{
    "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
    "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm"};

constexpr EncoderBlockNames kDistilBertBlockNames{
    "attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin",
    "sa_layer_norm", "ffn.lin1", "ffn.lin2", "output_layer_norm"};

// Takes in a fixed order, so a checkpoint missing several tensors always names the same one first.
void takeEncoderBlock(TensorSource& s, const std::string& p, const EncoderBlockNames& n, std::size_t d,
                      std::size_t ff, TransformerBlock& b)
{
    const auto weight = [&](const char* name) { return p + name + ".weight"; };
    const auto bias = [&](const char* name) { return p + name + ".bias"; };
    s.takeLater(b.attention.w_q, weight(n.query), {d, d});
    b.attention.b_q = s.take(bias(n.query), {d});
    s.takeLater(b.attention.w_k, weight(n.key), {d, d});
    b.attention.b_k = s.take(bias(n.key), {d});
    s.takeLater(b.attention.w_v, weight(n.value), {d, d});
    b.attention.b_v = s.take(bias(n.value), {d});
    s.takeLater(b.attention.w_o, weight(n.attentionOut), {d, d});
    b.attention.b_o = s.take(bias(n.attentionOut), {d});
    b.norm1Weight = s.take(weight(n.norm1), {d});
    b.norm1Bias = s.take(bias(n.norm1), {d});
    s.takeLater(b.ffnInWeight, weight(n.ffnIn), {ff, d});
    b.ffnInBias = s.take(bias(n.ffnIn), {ff});
    s.takeLater(b.ffnOutWeight, weight(n.ffnOut), {d, ff});
    b.ffnOutBias = s.take(bias(n.ffnOut), {d});
    b.norm2Weight = s.take(weight(n.norm2), {d});
    b.norm2Bias = s.take(bias(n.norm2), {d});
}

ModelWeights bertWeights(TensorSource& s, const ModelConfig& c)
{
    const auto d = std::size_t(c.d_model), ff = std::size_t(c.d_ff);
    const bool distil = c.architecture == Architecture::DistilBert;
    ModelWeights w;
    w.blocks.resize(std::size_t(c.layers)); // in place: the later takes write into them
    s.takeLater(w.tokenEmbedding, "embeddings.word_embeddings.weight", {std::size_t(c.vocabSize), d});
    s.takeLater(w.positionEmbedding, "embeddings.position_embeddings.weight", {std::size_t(c.maxPositions), d});
    if (!distil)
        w.tokenTypeEmbedding = s.take("embeddings.token_type_embeddings.weight", {std::size_t(c.typeVocabSize), d});
    w.embeddingNormWeight = s.take("embeddings.LayerNorm.weight", {d});
    w.embeddingNormBias = s.take("embeddings.LayerNorm.bias", {d});
    for (int l = 0; l < c.layers; ++l) {
        TransformerBlock& b = w.blocks[std::size_t(l)];
        b.attention = attentionSizes(c);
        takeEncoderBlock(s, blockPrefix(c, l), distil ? kDistilBertBlockNames : kBertBlockNames, d, ff, b);
    }
    s.convertAll();
    return w;
}

// model.safetensors, or the shards a model.safetensors.index.json lists.
void openCheckpoint(const fs::path& folder, Checkpoint& checkpoint)
{
    const fs::path single = folder / "model.safetensors";
    const fs::path index = folder / "model.safetensors.index.json";
    std::error_code ignored;
    if (fs::exists(single, ignored)) { // a folder or a FIFO of that name is refused as what it is
        checkpoint.fileName = single.string();
        checkpoint.add(single.string());
        return;
    }
    if (fileExists(index.string())) {
        checkpoint.fileName = index.string();
        const nlohmann::json json = readJsonFile(index.string());
        if (!json.contains("weight_map") || !json["weight_map"].is_object())
            throw Error(index.string() + ": has no \"weight_map\" object naming the shard of each tensor.");
        std::set<std::string> shards;
        for (const auto& [name, shard] : json["weight_map"].items()) {
            if (!shard.is_string() || shard.get<std::string>().find('/') != std::string::npos)
                throw Error(index.string() + ": the shard of \"" + name + "\" is not a file name in the folder.");
            shards.insert(shard.get<std::string>());
        }
        for (const std::string& shard : shards)
            checkpoint.add((folder / shard).string());
        return;
    }
    std::string hint;
    if (fileExists((folder / "pytorch_model.bin").string()))
        hint = " It holds pytorch_model.bin, a pickle the engine does not read; convert it to .safetensors first "
               "(for example with Hugging Face's convert tool, or save_pretrained(safe_serialization=True)).";
    throw Error(folder.string() + ": has no model.safetensors (nor model.safetensors.index.json)." + hint);
}

std::shared_ptr<const ModelTokenizer> loadTokenizer(const fs::path& folder, const ModelConfig& config)
{
    const fs::path tokenizerJson = folder / "tokenizer.json";
    const bool bpe = config.architecture == Architecture::Gpt2;
    if (fileExists(tokenizerJson.string())) {
        if (bpe)
            return BpeTokenizer::fromTokenizerJson(tokenizerJson.string());
        return WordPieceTokenizer::fromTokenizerJson(tokenizerJson.string());
    }
    if (bpe) {
        const fs::path vocab = folder / "vocab.json", merges = folder / "merges.txt";
        if (!fileExists(vocab.string()) || !fileExists(merges.string()))
            throw Error(folder.string() + ": has no tokenizer; a GPT-2 folder needs tokenizer.json, or vocab.json and "
                                          "merges.txt (missing: "
                        + std::string(fileExists(vocab.string()) ? "merges.txt" : "vocab.json") + ").");
        return BpeTokenizer::fromFiles(vocab.string(), merges.string());
    }
    const fs::path vocab = folder / "vocab.txt";
    if (!fileExists(vocab.string()))
        throw Error(folder.string() + ": has no tokenizer; a BERT folder needs tokenizer.json or vocab.txt.");
    return WordPieceTokenizer::fromFiles(vocab.string(), (folder / "tokenizer_config.json").string());
}

} // namespace

std::shared_ptr<const Model> Model::load(const std::string& folderText)
{
    fs::path folder(folderText);
    std::error_code error;
    if (!fs::exists(folder, error))
        throw Error(folderText + ": no such folder. Choose a Hugging Face model folder (config.json, "
                                 "model.safetensors and the tokenizer files).");
    if (!fs::is_directory(folder, error))
        throw Error(folderText + ": is not a folder; choose the folder that holds config.json, model.safetensors "
                                 "and the tokenizer files.");
    const fs::path configPath = folder / "config.json";
    if (!fileExists(configPath.string()))
        throw Error(folderText + ": has no config.json, so it is not a Hugging Face model folder (which holds "
                                 "config.json, model.safetensors and the tokenizer files).");

    // Cheap files first, so their mistakes show before gigabytes are read.
    const ModelConfig config = readModelConfig(configPath.string());
    std::shared_ptr<const ModelTokenizer> tokenizer = loadTokenizer(folder, config);
    if (tokenizer->vocabularySize() > config.vocabSize)
        throw Error(folderText + ": the tokenizer has ids up to " + std::to_string(tokenizer->vocabularySize() - 1)
                    + " but config.json's vocab_size of " + std::to_string(config.vocabSize) + " allows ids up to "
                    + std::to_string(config.vocabSize - 1) + " only; the tokenizer files belong to another model.");

    Checkpoint checkpoint;
    openCheckpoint(folder, checkpoint);
    std::vector<std::string> prefixes;
    switch (config.architecture) {
    case Architecture::Gpt2: prefixes = {"", "transformer."}; break;
    case Architecture::Bert: prefixes = {"", "bert."}; break;
    case Architecture::DistilBert: prefixes = {"", "distilbert."}; break;
    }
    // Blocks are made before their tensors are found: a config that claims millions of
    // layers must not allocate them. Every layer has several tensors.
    if (std::size_t(config.layers) > checkpoint.entries.size())
        throw Error(checkpoint.fileName + ": holds " + std::to_string(checkpoint.entries.size())
                    + " tensors, too few for the " + std::to_string(config.layers) + " layers that "
                    + (folder / "config.json").string() + " gives (" + sizesText(config)
                    + "); the config and the weights are not of the same model.");
    requireMemoryFor(config, (folder / "config.json").string());
    TensorSource source(checkpoint, prefixes, sizesText(config));
    // A block past the config's last: the model would run without it, and say nothing.
    if (const std::optional<std::string> beyond = source.anyUnder(blockPrefix(config, config.layers)))
        throw Error(checkpoint.fileName + ": holds \"" + *beyond + "\", a tensor of a layer past the "
                    + std::to_string(config.layers) + " that " + (folder / "config.json").string() + " gives ("
                    + sizesText(config) + "); the config and the weights are not of the same model.");
    ModelWeights weights = config.architecture == Architecture::Gpt2 ? gpt2Weights(source, config)
                                                                      : bertWeights(source, config);
    std::string name = folder.filename().string();
    if (name.empty() || name == ".")
        name = folder.parent_path().filename().string(); // "models/gpt2/"
    try {
        return std::make_shared<const Model>(config, std::move(weights), std::move(tokenizer), name);
    } catch (const Error& e) {
        throw Error(folderText + ": " + e.what());
    }
}

} // namespace attn
