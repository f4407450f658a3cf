#include "attn/model/wordpiece_tokenizer.h"

#include "attn/error.h"
#include "special_tokens.h"
#include "text_files.h"
#include "tokenizer_json.h"
#include "unicode_text.h"
#include "utf8.h"

namespace attn {

namespace {

using unicode::Category;

struct NormalChar {
    char32_t cp;
    std::size_t begin, end; // the original character's bytes, kept through lower-casing and NFD
};
using Word = std::vector<NormalChar>;

bool isBertWhitespace(char32_t cp)
{
    return cp == U' ' || cp == U'\t' || cp == U'\n' || cp == U'\r'
           || unicode::category(cp) == Category::SpaceSeparator;
}

bool isBertControl(char32_t cp)
{
    const Category c = unicode::category(cp);
    return c == Category::Control || c == Category::Format || c == Category::Other;
}

bool isBertPunctuation(char32_t cp)
{
    if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126))
        return true;
    return unicode::category(cp) == Category::Punctuation;
}

std::string utf8(const Word& word, std::size_t from, std::size_t to)
{
    std::string text;
    for (std::size_t i = from; i < to; ++i)
        appendUtf8(text, word[i].cp);
    return text;
}

// One token a line; an empty line still takes an id, as in Hugging Face's load_vocab.
std::vector<std::string> readVocabLines(const std::string& path)
{
    return splitLines(readTextFile(path));
}

} // namespace

WordPieceTokenizer::WordPieceTokenizer(std::vector<std::string> vocab, WordPieceOptions options)
    : m_idToToken(std::move(vocab)), m_options(std::move(options))
{
    // A repeated token takes its last id, as Hugging Face's load_vocab does.
    for (std::size_t id = 0; id < m_idToToken.size(); ++id)
        m_vocab[m_idToToken[id]] = int(id);
    for (const std::string* needed : {&m_options.unknownToken, &m_options.classToken, &m_options.separatorToken}) {
        if (!m_vocab.count(*needed))
            throw Error("the WordPiece vocabulary has no " + *needed + " token.");
    }
    for (const char* special : {"[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]"}) {
        if (m_vocab.count(special))
            m_specialTokens.emplace_back(special);
    }
}

std::shared_ptr<WordPieceTokenizer> WordPieceTokenizer::fromFiles(const std::string& vocabTxt,
                                                                  const std::string& tokenizerConfig)
{
    WordPieceOptions options;
    if (fileExists(tokenizerConfig)) {
        const nlohmann::json config = readJsonFile(tokenizerConfig);
        if (config.contains("do_lower_case") && config["do_lower_case"].is_boolean())
            options.lowerCase = config["do_lower_case"].get<bool>();
        if (config.contains("strip_accents") && config["strip_accents"].is_boolean())
            options.stripAccents = config["strip_accents"].get<bool>();
        if (config.contains("tokenize_chinese_chars") && config["tokenize_chinese_chars"].is_boolean())
            options.splitCjk = config["tokenize_chinese_chars"].get<bool>();
        if (config.contains("unk_token") && config["unk_token"].is_string())
            options.unknownToken = config["unk_token"].get<std::string>();
    }
    try {
        return std::make_shared<WordPieceTokenizer>(readVocabLines(vocabTxt), options);
    } catch (const Error& e) {
        throw Error(vocabTxt + ": " + e.what());
    }
}

std::shared_ptr<WordPieceTokenizer> WordPieceTokenizer::fromTokenizerJson(const std::string& path)
{
    const nlohmann::json json = readJsonFile(path);
    const nlohmann::json& model = tokenizerModel(json, path, "WordPiece", "BERT");
    const nlohmann::json vocabJson = model.value("vocab", nlohmann::json());
    if (!vocabJson.is_object())
        throw Error(path + ": the WordPiece vocabulary is not a JSON object of token -> id.");
    std::vector<std::string> vocab;
    for (const auto& [token, id] : vocabJson.items()) {
        const auto index = std::size_t(tokenId(id, token, path));
        if (vocab.size() <= index)
            vocab.resize(index + 1);
        vocab[index] = token;
    }
    WordPieceOptions options;
    options.unknownToken = model.value("unk_token", options.unknownToken);
    options.continuationPrefix = model.value("continuing_subword_prefix", options.continuationPrefix);
    options.maxCharsPerWord = model.value("max_input_chars_per_word", options.maxCharsPerWord);
    const nlohmann::json normalizer = json.value("normalizer", nlohmann::json());
    if (normalizer.is_object() && normalizer.value("type", std::string()) == "BertNormalizer") {
        options.lowerCase = normalizer.value("lowercase", true);
        options.splitCjk = normalizer.value("handle_chinese_chars", true);
        if (normalizer.contains("strip_accents") && normalizer["strip_accents"].is_boolean())
            options.stripAccents = normalizer["strip_accents"].get<bool>();
    }
    try {
        return std::make_shared<WordPieceTokenizer>(std::move(vocab), options);
    } catch (const Error& e) {
        throw Error(path + ": " + e.what());
    }
}

void WordPieceTokenizer::encodeChunk(std::string_view text, std::size_t offset, Encoding& out) const
{
    // BasicTokenizer: clean, split on white space and around CJK ideographs.
    std::vector<Word> words;
    Word current;
    auto flush = [&] {
        if (!current.empty())
            words.push_back(std::move(current));
        current.clear();
    };
    for (const unicode::Char& c : unicode::decode(text)) {
        if (!c.valid || c.cp == 0 || c.cp == 0xFFFD)
            continue;
        if (isBertWhitespace(c.cp)) {
            flush();
            continue;
        }
        if (isBertControl(c.cp))
            continue;
        if (m_options.splitCjk && unicode::isCjkIdeograph(c.cp)) {
            flush();
            words.push_back({{c.cp, offset + c.begin, offset + c.end}});
            continue;
        }
        current.push_back({c.cp, offset + c.begin, offset + c.end});
    }
    flush();

    const bool strip = m_options.stripAccents.value_or(m_options.lowerCase);
    std::vector<char32_t> decomposed;
    for (const Word& raw : words) {
        // Lower-case, strip accents (NFD, drop marks), then split off each punctuation mark.
        Word normal;
        for (const NormalChar& c : raw) {
            const char32_t lowered = m_options.lowerCase ? unicode::toLower(c.cp) : c.cp;
            decomposed.clear();
            if (strip)
                unicode::decompose(lowered, decomposed);
            else
                decomposed.push_back(lowered);
            for (char32_t cp : decomposed) {
                if (!strip || unicode::category(cp) != Category::Mark)
                    normal.push_back({cp, c.begin, c.end});
            }
        }
        std::vector<Word> pieces;
        Word run;
        for (const NormalChar& c : normal) {
            if (isBertPunctuation(c.cp)) {
                if (!run.empty())
                    pieces.push_back(std::move(run));
                run.clear();
                pieces.push_back({c});
            } else {
                run.push_back(c);
            }
        }
        if (!run.empty())
            pieces.push_back(std::move(run));

        // WordPiece: greedy longest match from the left; any unmatched rest makes the word [UNK].
        for (const Word& word : pieces) {
            const std::size_t n = word.size();
            std::vector<std::pair<int, std::size_t>> found; // id, end index
            bool unknown = n > std::size_t(m_options.maxCharsPerWord);
            for (std::size_t start = 0; start < n && !unknown;) {
                std::size_t end = n;
                int id = -1;
                for (; end > start; --end) {
                    const std::string piece = (start > 0 ? m_options.continuationPrefix : std::string()) + utf8(word, start, end);
                    if (const auto it = m_vocab.find(piece); it != m_vocab.end()) {
                        id = it->second;
                        break;
                    }
                }
                if (id < 0) {
                    unknown = true;
                    break;
                }
                found.emplace_back(id, end);
                start = end;
            }
            if (unknown) {
                out.ids.push_back(m_vocab.at(m_options.unknownToken));
                out.tokens.push_back({m_options.unknownToken, word.front().begin, word.back().end});
                continue;
            }
            std::size_t start = 0;
            for (const auto& [id, end] : found) {
                out.ids.push_back(id);
                out.tokens.push_back({m_idToToken[std::size_t(id)], word[start].begin, word[end - 1].end});
                start = end;
            }
        }
    }
}

Encoding WordPieceTokenizer::encode(std::string_view text) const
{
    Encoding out;
    out.ids.push_back(m_vocab.at(m_options.classToken));
    out.tokens.push_back({m_options.classToken, 0, 0});
    // A special token typed literally (e.g. [SEP]) is one token.
    encodeAroundSpecialTokens(text, m_specialTokens, m_vocab, out,
                              [this](std::string_view chunk, std::size_t offset, Encoding& encoded) {
                                  encodeChunk(chunk, offset, encoded);
                              });
    out.ids.push_back(m_vocab.at(m_options.separatorToken));
    out.tokens.push_back({m_options.separatorToken, text.size(), text.size()});
    return out;
}

std::string WordPieceTokenizer::tokenText(int id) const
{
    if (id < 0 || std::size_t(id) >= m_idToToken.size())
        return "<id=" + std::to_string(id) + ">"; // no space: a view would draw it as a token's ␣
    return m_idToToken[std::size_t(id)];
}

} // namespace attn
