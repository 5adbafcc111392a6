using System.Globalization;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

// The assembly is named "workshop"; its resources are named after the namespace.
[assembly: RootNamespace("Workshop.Cli")]

namespace Workshop.Cli.Localization;

/// <summary>
/// The language the CLI speaks: <c>--lang en|zh-CN</c> anywhere on the command line, else <c>WORKSHOP_LANG</c>, else
/// the system locale (<c>LC_ALL</c>, <c>LC_MESSAGES</c>, <c>LANG</c>, then .NET's UI culture), else English.
/// </summary>
internal static class Language
{
    /// <summary>The workshop's first language, and the fallback for any locale it does not speak.</summary>
    public static CultureInfo English { get; } = CultureInfo.GetCultureInfo("en");

    /// <summary>Simplified Chinese, as written in mainland China.</summary>
    public static CultureInfo Chinese { get; } = CultureInfo.GetCultureInfo("zh-CN");

    /// <summary>The names --lang and WORKSHOP_LANG take, as the error message lists them.</summary>
    public const string Choices = "en, zh-CN";

    /// <summary>
    /// The language and the arguments without <c>--lang X</c> (or <c>--lang=X</c>), which Spectre would refuse as
    /// unknown on every verb.
    /// </summary>
    /// <exception cref="Infrastructure.UsageException">--lang or WORKSHOP_LANG names a language the workshop does not speak.</exception>
    public static (CultureInfo Culture, string[] Arguments) Choose(IReadOnlyList<string> args, Func<string, string?> environment, CultureInfo system)
    {
        string? asked = null;
        var rest = new List<string>(args.Count);
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--lang")
            {
                if (i + 1 >= args.Count) throw new Infrastructure.UsageException($"--lang needs a language: {Choices}.");
                asked = args[++i];
            }
            else if (args[i].StartsWith("--lang=", StringComparison.Ordinal)) asked = args[i]["--lang=".Length..];
            else rest.Add(args[i]);
        }

        if (asked is not null)
            return (Parse(asked) ?? throw new Infrastructure.UsageException($"--lang must be one of {Choices}, not '{asked}'."), [.. rest]);
        if (environment("WORKSHOP_LANG") is { Length: > 0 } fromEnvironment)
            return (Parse(fromEnvironment) ?? throw new Infrastructure.UsageException($"WORKSHOP_LANG must be one of {Choices}, not '{fromEnvironment}'."), [.. rest]);

        // POSIX order: LC_ALL overrides LC_MESSAGES, which overrides LANG. "C" and "POSIX" mean no preference.
        var locale = new[] { "LC_ALL", "LC_MESSAGES", "LANG" }.Select(environment).FirstOrDefault(v => v is { Length: > 0 });
        return (Parse(locale ?? system.Name) ?? English, [.. rest]);
    }

    /// <summary>en, en-US, en_GB.UTF-8 → English; zh, zh-CN, zh_CN.UTF-8, zh-Hans → Chinese; anything else → null.</summary>
    public static CultureInfo? Parse(string name)
    {
        var tag = name.Split('.', '@')[0].Replace('_', '-').Trim();
        if (tag.Equals("en", StringComparison.OrdinalIgnoreCase) || tag.StartsWith("en-", StringComparison.OrdinalIgnoreCase)) return English;
        // Traditional Chinese (zh-TW, zh-HK, zh-Hant) is another edition, which the workshop does not have.
        if (tag.Equals("zh", StringComparison.OrdinalIgnoreCase) || tag.Equals("zh-CN", StringComparison.OrdinalIgnoreCase) ||
            tag.Equals("zh-SG", StringComparison.OrdinalIgnoreCase) || tag.StartsWith("zh-Hans", StringComparison.OrdinalIgnoreCase)) return Chinese;
        return null;
    }

    /// <summary>Whether <paramref name="culture"/> (the current UI culture by default) is the Chinese edition.</summary>
    public static bool IsChinese(CultureInfo? culture = null) =>
        (culture ?? CultureInfo.CurrentUICulture).Name.StartsWith("zh", StringComparison.OrdinalIgnoreCase);
}

/// <summary>The CLI's texts, in the current UI culture, with figures formatted by the invariant culture.</summary>
internal static class Texts
{
    private static readonly IStringLocalizer Localizer = new ResourceManagerStringLocalizerFactory(
        Options.Create(new LocalizationOptions()), NullLoggerFactory.Instance).Create(typeof(Strings));

    /// <summary>The text named <paramref name="key"/>, its {0}, {1} ... filled in.</summary>
    /// <exception cref="KeyNotFoundException">No such text: a typo in the code, which a test run finds at once.</exception>
    public static string Get(string key, params object?[] args)
    {
        var text = Localizer[key];
        if (text.ResourceNotFound) throw new KeyNotFoundException($"The CLI has no text named '{key}' (Localization/Strings.resx).");
        return args.Length == 0 ? text.Value : string.Format(CultureInfo.InvariantCulture, text.Value, args);
    }

    /// <summary>The text named <paramref name="key"/>, or null when there is none (a lookup by a figure's key).</summary>
    public static string? Find(string key) => Localizer[key] is { ResourceNotFound: false } text ? text.Value : null;

    /// <summary>Every text of the current UI culture, by name (the live page's words).</summary>
    public static IReadOnlyDictionary<string, string> All(string prefix) =>
        Localizer.GetAllStrings(includeParentCultures: true)
            .Where(s => s.Name.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(s => s.Name[prefix.Length..], s => s.Value, StringComparer.Ordinal);
}
