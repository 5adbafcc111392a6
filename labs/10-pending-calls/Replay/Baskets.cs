using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Lab10.Replay;

/// <summary>The shop's baskets, as the replay and the spec send them to <c>POST /api/stock/check</c>.</summary>
public static class Baskets
{
    /// <summary>Lines in every basket.</summary>
    public const int Lines = 100;

    /// <summary>The SKU of line <paramref name="line"/> of basket <paramref name="i"/>.</summary>
    public static string Sku(int i, int line) => string.Create(CultureInfo.InvariantCulture, $"SKU-{(i * 131 + line * 17) % 90_000 + 10_000}");

    /// <summary>The customer's note, by default: 8 KB of delivery instructions, a gift message, what a checkout form collects.</summary>
    public const int NoteBytes = 8_000;

    /// <summary>
    /// Basket <paramref name="i"/> as JSON: 100 lines and the customer's note of about <paramref name="noteBytes"/>
    /// (by default about 11 KB in all).
    /// </summary>
    public static string Json(int i, int noteBytes = NoteBytes)
    {
        var json = new StringBuilder(noteBytes + 4_000);
        json.Append(CultureInfo.InvariantCulture, $$"""{"basketId":"b-{{i:D7}}","lines":[""");
        for (var line = 0; line < Lines; line++)
        {
            if (line > 0) json.Append(',');
            json.Append(CultureInfo.InvariantCulture, $$"""{"sku":"{{Sku(i, line)}}","quantity":{{1 + line % 4}}}""");
        }
        json.Append("""],"note":" """);
        var end = json.Length + noteBytes;
        for (var n = 0; json.Length < end; n++)
            json.Append(CultureInfo.InvariantCulture, $"Leave with the concierge if nobody answers; ring twice, flat {n % 40 + 1}. ");
        json.Append("\"}");
        return json.ToString();
    }

    /// <summary>A request that checks basket <paramref name="i"/>.</summary>
    public static HttpRequestMessage Check(int i, int noteBytes = NoteBytes) => new(HttpMethod.Post, "/api/stock/check")
    {
        Content = new StringContent(Json(i, noteBytes), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
    };
}
