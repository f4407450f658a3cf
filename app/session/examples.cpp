#include "examples.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

namespace examples {

ExamplesResult fromJson(const QByteArray& json)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return {{}, u"the examples file is not valid JSON: "_qs + parseError.errorString()};
    const QJsonValue list = document.object().value(u"examples"_qs);
    if (!list.isArray())
        return {{}, u"the examples file has no “examples” list."_qs};

    ExamplesResult result;
    int number = 0;
    for (const QJsonValue& value : list.toArray()) {
        ++number;
        const QJsonObject object = value.toObject();
        const QJsonValue title = object.value(u"title"_qs), text = object.value(u"text"_qs);
        const QJsonValue source = object.value(u"source"_qs), note = object.value(u"note"_qs);
        if (!title.isString() || !text.isString() || (!source.isUndefined() && !source.isString())
            || (!note.isUndefined() && !note.isString()))
            return {{}, u"example "_qs + QString::number(number)
                            + u" needs a “title” and a “text”, and “source” and “note” must be text when given."_qs};
        Example example{title.toString(), text.toString(), std::nullopt, note.toString()};
        if (source.isString())
            example.sourceText = source.toString();
        result.examples << example;
    }
    return result;
}

ExamplesResult load(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {{}, u"Could not read the examples from "_qs + path + u": "_qs + file.errorString()};
    return fromJson(file.readAll());
}

} // namespace examples
