#include "session.h"
#include "shortest_decimal.h"

#include "export/write_whole.h"

#include <attn/error.h>
#include <attn/tokenizer.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QSaveFile>

#include <algorithm>
#include <cmath>
#include <limits>

namespace {

// JSON may escape half of a UTF-16 pair ("\ud800"), which is no character: it became "?"
// in the text as run. Each is read as U+FFFD (�), as a stray byte of --text is.
QString withoutLoneSurrogates(QString text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i].isHighSurrogate() && i + 1 < text.size() && text[i + 1].isLowSurrogate())
            ++i; // a whole pair
        else if (text[i].isSurrogate())
            text[i] = QChar::ReplacementCharacter;
    }
    return text;
}

// The largest whole number a JSON number (a double) holds exactly, 2^53; a seed may also
// come as a decimal string.
constexpr double exactIntegerLimit = 9007199254740992.0;

// Thrown inside fromJson only, caught there and turned into SessionResult::error.
struct Invalid {
    QString message;
};

[[noreturn]] void fail(const QString& message)
{
    throw Invalid{message};
}

QString typeName(const QJsonValue& value)
{
    switch (value.type()) {
    case QJsonValue::Null: return u"null"_qs;
    case QJsonValue::Bool: return u"true/false"_qs;
    case QJsonValue::Double: return QString::number(value.toDouble()); // 2.5, 1e+300
    case QJsonValue::String: return u"text"_qs;
    case QJsonValue::Array: return u"a list"_qs;
    case QJsonValue::Object: return u"an object"_qs;
    case QJsonValue::Undefined: return u"missing"_qs;
    }
    return u"unknown"_qs;
}

// Reads the members of one JSON object; every message names the member by its path.
class Reader {
public:
    Reader(const QJsonObject& object, QString path) : m_object(object), m_path(std::move(path)) {}

    QString name(const QString& key) const { return m_path.isEmpty() ? key : m_path + u'.' + key; }
    bool has(const QString& key) const { return m_object.contains(key) && !m_object.value(key).isNull(); }

    QJsonValue required(const QString& key) const
    {
        if (!m_object.contains(key))
            fail(u"“"_qs + name(key) + u"” is missing."_qs);
        return m_object.value(key);
    }

    [[noreturn]] void wrongType(const QString& key, const QString& wanted) const
    {
        fail(u"“"_qs + name(key) + u"” must be "_qs + wanted + u", not "_qs + typeName(m_object.value(key)) + u'.');
    }

    QString string(const QString& key) const
    {
        const QJsonValue value = required(key);
        if (!value.isString())
            wrongType(key, u"text"_qs);
        return withoutLoneSurrogates(value.toString());
    }

    bool boolean(const QString& key) const
    {
        const QJsonValue value = required(key);
        if (!value.isBool())
            wrongType(key, u"true or false"_qs);
        return value.toBool();
    }

    double number(const QString& key) const
    {
        const QJsonValue value = required(key);
        if (!value.isDouble() || !std::isfinite(value.toDouble()))
            wrongType(key, u"a number"_qs);
        return value.toDouble();
    }

    int integer(const QString& key) const
    {
        const double value = number(key);
        if (value != std::floor(value))
            wrongType(key, u"a whole number"_qs);
        if (value < double(std::numeric_limits<int>::min()) || value > double(std::numeric_limits<int>::max()))
            wrongType(key, u"a whole number of at most ten digits"_qs);
        return int(value);
    }

    // A list of token numbers from 0.
    QList<int> tokens(const QString& key) const
    {
        const QJsonValue value = required(key);
        if (!value.isArray())
            wrongType(key, u"a list of token numbers"_qs);
        QList<int> numbers;
        for (const QJsonValue& item : value.toArray()) {
            const double number = item.toDouble(-1.0);
            if (!item.isDouble() || number < 0 || number != std::floor(number) || number > std::numeric_limits<int>::max())
                fail(u"“"_qs + name(key) + u"” must list token numbers from 0, not "_qs + typeName(item) + u'.');
            numbers << int(number);
        }
        return numbers;
    }

    std::uint64_t unsigned64(const QString& key) const
    {
        const QJsonValue value = required(key);
        if (value.isString()) {
            bool ok = false;
            const qulonglong parsed = value.toString().toULongLong(&ok);
            if (!ok)
                wrongType(key, u"a whole number from 0"_qs);
            return parsed;
        }
        const double number = value.isDouble() ? value.toDouble() : -1.0;
        if (number < 0 || number != std::floor(number) || number > exactIntegerLimit)
            wrongType(key, u"a whole number from 0"_qs);
        return std::uint64_t(number);
    }

    Reader object(const QString& key) const
    {
        const QJsonValue value = required(key);
        if (!value.isObject())
            wrongType(key, u"an object"_qs);
        return Reader(value.toObject(), name(key));
    }

private:
    QJsonObject m_object;
    QString m_path;
};

QJsonObject configJson(const attn::Config& config)
{
    QJsonObject json;
    json[u"heads"_qs] = config.heads;
    json[u"d_model"_qs] = config.d_model;
    json[u"d_k"_qs] = config.d_k;
    json[u"d_v"_qs] = config.d_v;
    json[u"seed"_qs] = double(config.seed); // at most Limits::maxSeed: exact
    json[u"causal"_qs] = config.causal;
    json[u"scaling"_qs] = QString::fromStdString(attn::toString(config.scaling));
    json[u"temperature"_qs] = shortestDecimal(config.temperature);
    json[u"positional"_qs] = QString::fromStdString(attn::toString(config.positional));
    json[u"bias"_qs] = config.bias;
    return json;
}

attn::Config readConfig(const Reader& json)
{
    attn::Config config;
    config.heads = json.integer(u"heads"_qs);
    config.d_model = json.integer(u"d_model"_qs);
    config.d_k = json.integer(u"d_k"_qs);
    config.d_v = json.integer(u"d_v"_qs);
    config.seed = json.unsigned64(u"seed"_qs);
    config.causal = json.boolean(u"causal"_qs);
    const double temperature = json.number(u"temperature"_qs);
    config.bias = json.boolean(u"bias"_qs);
    try {
        attn::validateTemperature(temperature); // as the file holds it: 1e300 as a float is inf
        config.temperature = float(temperature);
        config.scaling = attn::scalingFromString(json.string(u"scaling"_qs).toStdString());
        config.positional = attn::positionalFromString(json.string(u"positional"_qs).toStdString());
        attn::validate(config);
    } catch (const attn::Error& error) {
        fail(u"config: "_qs + QString::fromStdString(error.what()));
    }
    return config;
}

SessionState readState(const QJsonObject& root, const QStringList& knownViews)
{
    const Reader json(root, QString());
    if (json.string(u"format"_qs) != QStringView(session::formatName))
        fail(u"this is not an Attention Explorer session (“format” is not “"_qs + QStringView(session::formatName)
             + u"”)."_qs);
    const int version = json.integer(u"version"_qs);
    if (version != session::formatVersion)
        fail(u"the session has format version "_qs + QString::number(version) + u"; this program reads version "_qs
             + QString::number(session::formatVersion) + u". Open it with the program that saved it."_qs);

    SessionState state;
    state.text = json.string(u"text"_qs);
    if (json.has(u"sourceText"_qs))
        state.sourceText = json.string(u"sourceText"_qs);
    state.config = readConfig(json.object(u"config"_qs));

    try {
        state.backend = attn::backendKindFromString(json.string(u"backend"_qs).toStdString());
    } catch (const attn::Error& error) {
        fail(QString::fromStdString(error.what()));
    }

    state.view = json.string(u"view"_qs);
    if (state.view.isEmpty() || (!knownViews.isEmpty() && !knownViews.contains(state.view)))
        fail(u"the view “"_qs + state.view + u"” is unknown; use one of: "_qs + knownViews.join(u", "_qs) + u'.');

    const Reader selection = json.object(u"selection"_qs);
    state.head = selection.integer(u"head"_qs);
    if (state.head < 0 || state.head >= state.config.heads)
        fail(u"selection.head is "_qs + QString::number(state.head) + u"; the file counts heads from 0, so with "_qs
             + QString::number(state.config.heads) + (state.config.heads == 1 ? u" head"_qs : u" heads"_qs)
             + u" it must be from 0 to "_qs + QString::number(state.config.heads - 1) + u'.');
    state.query = selection.integer(u"query"_qs);
    state.key = selection.integer(u"key"_qs);
    if (state.query < -1 || state.key < -1)
        fail(u"selection.query and selection.key must be token numbers from 0, or -1 for none."_qs);
    if (selection.has(u"alsoPinned"_qs))
        state.alsoPinned = selection.tokens(u"alsoPinned"_qs);

    const QString map = json.string(u"colorMap"_qs);
    const std::optional<ColorMapId> knownMap = ColorMap::findKey(map);
    if (!knownMap)
        fail(u"the colour map “"_qs + map + u"” is unknown; use one of: "_qs + ColorMap::keys().join(u", "_qs) + u'.');
    state.colorMap = *knownMap;

    // Written since the fixed scale came; a file without it has the scale it was made with.
    if (json.has(u"colorScale"_qs)) {
        const QString scale = json.string(u"colorScale"_qs);
        if (scale != u"unit"_qs && scale != u"largest"_qs)
            fail(u"the colour scale “"_qs + scale + u"” is unknown; use unit (0 to 1) or largest (0 to the largest weight)."_qs);
        state.unitColorScale = scale == u"unit"_qs;
    }

    const Reader filter = json.object(u"filter"_qs);
    state.filter.keepShare = filter.number(u"keepShare"_qs);
    if (!(state.filter.keepShare > 0.0 && state.filter.keepShare <= 1.0))
        fail(u"filter.keepShare is "_qs + QString::number(state.filter.keepShare)
             + u"; it must be above 0 and at most 1 (1 keeps every weight)."_qs);
    state.filter.hideFirst = filter.boolean(u"hideFirst"_qs);

    if (json.has(u"model"_qs)) {
        const Reader model = json.object(u"model"_qs);
        SessionModel opened;
        opened.folder = model.string(u"folder"_qs);
        if (opened.folder.trimmed().isEmpty())
            fail(u"model.folder is empty; it must name the model's folder."_qs);
        opened.layer = model.integer(u"layer"_qs);
        opened.head = model.integer(u"head"_qs);
        opened.relativeToFile = QFileInfo(opened.folder).isRelative();
        if (opened.layer < 0 || opened.head < 0)
            fail(u"model.layer and model.head are counted from 0 and cannot be negative."_qs);
        state.model = opened;
    }
    return state;
}

// The folder a model is written with into the session at sessionPath: one named relative
// to its session stays relative, now to this file (saved elsewhere, the path still leads to
// it), unless the two meet only at the root (/home/me/lessons and /opt/models) or lie on
// different drives: then absolute.
QString folderToWrite(const SessionModel& model, const QString& sessionPath)
{
    if (!model.relativeToFile || QFileInfo(model.folder).isRelative())
        return model.folder; // absolute as the user chose it, or still as the file wrote it
    const QString from = QFileInfo(sessionPath).absolutePath();
    const QString to = QDir::cleanPath(model.folder);
    const QString relative = QDir(from).relativeFilePath(to);
    const auto top = [](const QString& path) { return path.section(u'/', 0, 0, QString::SectionSkipEmpty); };
    if (QFileInfo(relative).isAbsolute() || top(from).isEmpty() || top(from) != top(to))
        return to;
    return relative;
}

} // namespace

QList<int> SessionState::pinnedQueries() const
{
    if (query < 0)
        return {};
    QList<int> pinned;
    for (int q : alsoPinned)
        if (q != query && !pinned.contains(q)) // a file may repeat one
            pinned << q;
    return pinned << query;
}

bool SessionState::operator==(const SessionState& other) const
{
    return text == other.text && sourceText == other.sourceText && config == other.config && backend == other.backend
           && view == other.view && head == other.head && query == other.query && key == other.key
           && alsoPinned == other.alsoPinned
           && colorMap == other.colorMap && unitColorScale == other.unitColorScale && filter.keepShare == other.filter.keepShare
           && filter.hideFirst == other.filter.hideFirst && model == other.model;
}

namespace session {

QByteArray toJson(const SessionState& state)
{
    QJsonObject root;
    root[u"format"_qs] = QStringView(formatName).toString();
    root[u"version"_qs] = formatVersion;
    root[u"text"_qs] = state.text;
    if (state.sourceText)
        root[u"sourceText"_qs] = *state.sourceText;
    root[u"config"_qs] = configJson(state.config);
    root[u"backend"_qs] = QString::fromStdString(attn::toString(state.backend));
    root[u"view"_qs] = state.view;
    QJsonObject selection{{u"head"_qs, state.head}, {u"query"_qs, state.query}, {u"key"_qs, state.key}};
    if (!state.alsoPinned.isEmpty())
        selection[u"alsoPinned"_qs] = QJsonArray::fromVariantList(QVariantList(state.alsoPinned.begin(), state.alsoPinned.end()));
    root[u"selection"_qs] = selection;
    root[u"colorMap"_qs] = ColorMap::key(state.colorMap);
    root[u"colorScale"_qs] = state.unitColorScale ? u"unit"_qs : u"largest"_qs;
    root[u"filter"_qs] = QJsonObject{{u"keepShare"_qs, state.filter.keepShare}, {u"hideFirst"_qs, state.filter.hideFirst}};
    if (state.model)
        root[u"model"_qs] = QJsonObject{{u"folder"_qs, state.model->folder},
                                         {u"layer"_qs, state.model->layer},
                                         {u"head"_qs, state.model->head}};
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

namespace {

// The members of `given` that `written` (the state read from it, written again) lacks, as
// dotted paths. Nulls and empty lists are not counted: the file said "none", as omitting
// the member does.
void collectIgnored(const QJsonObject& given, const QJsonObject& written, const QString& prefix, QStringList& ignored)
{
    for (auto member = given.begin(); member != given.end(); ++member) {
        const QJsonValue value = member.value();
        if (value.isNull() || (value.isArray() && value.toArray().isEmpty()))
            continue;
        const QString path = prefix + member.key();
        if (!written.contains(member.key()))
            ignored << path;
        else if (value.isObject() && written.value(member.key()).isObject())
            collectIgnored(value.toObject(), written.value(member.key()).toObject(), path + u'.', ignored);
    }
}

} // namespace

QString ignoredMembersText(const QStringList& ignored)
{
    if (ignored.isEmpty())
        return QString();
    QStringList quoted;
    for (const QString& member : ignored)
        quoted << u"“"_qs + member + u"”"_qs;
    // A layer of one's own, written into a session by hand, is what a file cannot carry yet.
    const bool ownLayer = std::any_of(ignored.begin(), ignored.end(), [](const QString& member) {
        const QString name = member.section(u'.', -1);
        return name == u"weights" || name == u"inputs";
    });
    return (ignored.size() == 1 ? u"the member "_qs + quoted.front() + u" is"_qs
                                : u"the members "_qs + quoted.join(u", "_qs) + u" are"_qs)
           + u" not read by this version, so not applied"_qs
           + (ownLayer ? u" (a layer of your own is given with --weights and --inputs at the command line)."_qs
                       : u"; check the spelling against a session this program saved."_qs);
}

SessionResult fromJson(const QByteArray& json, const QStringList& knownViews)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return {std::nullopt, u"the file is not valid JSON ("_qs + parseError.errorString() + u" at byte "_qs
                                  + QString::number(parseError.offset) + u"); it may be truncated or damaged."_qs, {}};
    if (!document.isObject())
        return {std::nullopt, u"the file holds JSON but not a session: a session is one JSON object."_qs, {}};
    try {
        SessionResult result{readState(document.object(), knownViews), QString(), {}};
        collectIgnored(document.object(), QJsonDocument::fromJson(toJson(*result.state)).object(), QString(), result.ignored);
        return result;
    } catch (const Invalid& invalid) {
        return {std::nullopt, invalid.message, {}};
    }
}

bool save(const QString& path, const SessionState& state, QString* error)
{
    SessionState written = state;
    if (written.model)
        written.model->folder = folderToWrite(*written.model, path);
    QSaveFile file(path);
    const QByteArray bytes = toJson(written);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Unbuffered) || !writeWhole(file, bytes) || !file.commit()) {
        if (error)
            *error = u"Could not save the session to "_qs + path + u": "_qs + file.errorString()
                     + u". Save it in a folder you may write to, on a disk with room."_qs;
        return false;
    }
    return true;
}

SessionResult open(const QString& path, const QStringList& knownViews)
{
    // A device or a pipe would be read without end (/dev/zero) or block the window.
    const QFileInfo info(path);
    if (info.exists() && !info.isFile())
        return {std::nullopt, path + u" is not a file but "_qs + (info.isDir() ? u"a folder"_qs : u"a device or a pipe"_qs)
                                  + u"; a session is a .json file saved by Attention Explorer."_qs};
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {std::nullopt, u"Could not open "_qs + path + u": "_qs + file.errorString() + u'.'};
    // A session is a few hundred bytes; anything huge is not one and is not read whole.
    constexpr qint64 maxBytes = 16 << 20;
    const QByteArray bytes = file.read(maxBytes + 1);
    if (bytes.size() > maxBytes)
        return {std::nullopt, path + u" is too large to be a session file (over 16 MiB)."_qs};
    if (bytes.isEmpty())
        return {std::nullopt, path + u" is empty; a session is a .json file saved by Attention Explorer."_qs};
    SessionResult result = fromJson(bytes, knownViews);
    if (!result.ok())
        result.error = info.fileName() + u": "_qs + result.error;
    // A relative model folder is beside the session (a lesson folder moved as a whole),
    // wherever it is opened from.
    else if (result.state->model && QFileInfo(result.state->model->folder).isRelative())
        result.state->model->folder = QDir::cleanPath(info.dir().filePath(result.state->model->folder));
    return result;
}

void applyCausalWithinOneText(attn::Request& request)
{
    if (request.sourceText && !attn::tokenize(*request.sourceText).empty())
        request.config.causal = false;
}

} // namespace session
