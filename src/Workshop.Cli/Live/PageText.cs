using System.Globalization;
using System.Text.Json;
using Workshop.Cli.Localization;

namespace Workshop.Cli.Live;

/// <summary>
/// The live page's words in one language: the <c>Page.*</c> texts of the CLI's resources, served as
/// <c>assets/text.js</c>, which sets <c>window.workshopText</c> and the document's language before app.js runs.
/// </summary>
internal sealed record PageText(string Language, IReadOnlyDictionary<string, string> Words)
{
    /// <summary>The page's words in <paramref name="culture"/> (English where it has none).</summary>
    public static PageText Of(CultureInfo culture)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = culture;
        try
        {
            return new PageText(Localization.Language.IsChinese(culture) ? "zh-CN" : "en", Texts.All("Page."));
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    /// <summary>The script: <c>window.workshopText = {...}; document.documentElement.lang = "...";</c></summary>
    public string Script =>
        $"window.workshopText = {JsonSerializer.Serialize(Words, PageTextJson.Default.IReadOnlyDictionaryStringString)};\n" +
        $"document.documentElement.lang = {JsonSerializer.Serialize(Language, PageTextJson.Default.String)};\n";
}

[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class PageTextJson : System.Text.Json.Serialization.JsonSerializerContext;
