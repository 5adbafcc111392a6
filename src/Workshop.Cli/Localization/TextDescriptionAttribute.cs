using System.ComponentModel;

namespace Workshop.Cli.Localization;

/// <summary>
/// A command's or an option's help text, from the CLI's texts. Spectre reads <see cref="Description"/> when it builds
/// the help, after the run has chosen its language, so `workshop --lang zh-CN replay --help` describes every option in
/// Chinese; the English stays in Strings.resx, beside every other text the CLI shows.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class TextDescriptionAttribute(string key) : DescriptionAttribute
{
    /// <summary>The text's name in Strings.resx.</summary>
    public string Key { get; } = key;

    /// <inheritdoc />
    public override string Description => Texts.Get(Key);
}
