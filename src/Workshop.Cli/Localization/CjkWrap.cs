using System.Text;
using Spectre.Console;

namespace Workshop.Cli.Localization;

/// <summary>
/// Line breaks for Chinese text in a terminal. Spectre breaks lines only at spaces, so a Chinese sentence (which has
/// none) would go whole onto the next line or be cut where the column ends. Chinese may break after any character,
/// except that closing punctuation (，。、；：！？）」) never starts a line; English words and code keep their spaces.
/// </summary>
internal static class CjkWrap
{
    private const string NeverStartsALine = "，。、；：！？）」』》’”";

    /// <summary><paramref name="text"/> in lines of at most <paramref name="width"/> cells; its own line breaks are kept.</summary>
    public static string Lines(string text, int width)
    {
        var result = new StringBuilder();
        foreach (var paragraph in text.Split('\n'))
        {
            if (result.Length > 0) result.Append('\n');
            var line = new StringBuilder();
            var cells = 0;
            foreach (var token in Tokens(paragraph))
            {
                var length = token.GetCellWidth();
                if (token == " " && cells == 0) continue;
                if (cells > 0 && cells + length > width && token != " ")
                {
                    result.Append(line.ToString().TrimEnd()).Append('\n');
                    line.Clear();
                    cells = 0;
                }
                line.Append(token);
                cells += length;
            }
            result.Append(line.ToString().TrimEnd());
        }
        return result.ToString();
    }

    // A space; one Chinese character with the closing punctuation after it; or a run of anything else (a word, a figure, code).
    private static IEnumerable<string> Tokens(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            if (text[i] == ' ')
            {
                i++;
            }
            else if (IsWide(text[i]))
            {
                i++;
                while (i < text.Length && NeverStartsALine.Contains(text[i], StringComparison.Ordinal)) i++;
            }
            else
            {
                while (i < text.Length && text[i] != ' ' && !IsWide(text[i])) i++;
                while (i < text.Length && NeverStartsALine.Contains(text[i], StringComparison.Ordinal)) i++;
            }
            yield return text[start..i];
        }
    }

    private static bool IsWide(char c) => c is >= '\u2E80' and <= '\u9FFF' or >= '\uFF00' and <= '\uFFEF';
}
