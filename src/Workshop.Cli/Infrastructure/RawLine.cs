using Spectre.Console;
using Spectre.Console.Rendering;

namespace Workshop.Cli.Infrastructure;

/// <summary>
/// One line, styled, never wrapped: Spectre wraps text at the console width (80 columns when output is redirected),
/// which would cut a diff line or an error message in two when saved to a file. Spectre still decides whether the
/// styles become colour (a terminal) or nothing (a pipe, NO_COLOR).
/// </summary>
internal sealed class RawLine(params (string Text, Style? Style)[] parts) : IRenderable
{
    public RawLine(string text, Style? style = null)
        : this((text, style))
    {
    }

    private int Length => parts.Sum(p => p.Text.Length);

    /// <summary>"error: message" in one line, with the word "error:" in red.</summary>
    public static RawLine Error(string message) => new((Localization.Texts.Get("App.ErrorWord"), new Style(Color.Red)), (message, null));

    public Measurement Measure(RenderOptions options, int maxWidth) => new(Math.Min(Length, maxWidth), Math.Max(Length, 1));

    public IEnumerable<Segment> Render(RenderOptions options, int maxWidth) =>
        [.. parts.Select(p => new Segment(p.Text, p.Style ?? Style.Plain)), Segment.LineBreak];
}
