namespace Workshop.Cli.Localization;

/// <summary>
/// The CLI's and the live page's words, looked up through <c>IStringLocalizer&lt;Strings&gt;</c>: English in
/// <c>Strings.resx</c>, Simplified Chinese in <c>Strings.zh-CN.resx</c> (a satellite assembly). Figures never live
/// here: they are formatted by the code, with the invariant culture, and passed in, so both languages show the same.
/// </summary>
internal sealed class Strings;
