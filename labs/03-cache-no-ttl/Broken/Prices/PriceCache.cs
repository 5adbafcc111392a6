using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Lab03.Prices;

/// <summary>
/// Prices already read from the store, so that a request asked before is answered at once instead of waiting
/// for the store again.
/// </summary>
public static class PriceCache
{
    private static readonly ConcurrentDictionary<string, Price> Entries = new();

    public static int Count => Entries.Count;

    public static bool TryGet(HttpRequest request, [MaybeNullWhen(false)] out Price price) =>
        Entries.TryGetValue(KeyOf(request), out price);

    public static void Set(HttpRequest request, Price price) => Entries[KeyOf(request)] = price;

    // A request is its path and query string: the same request gets the same answer.
    private static string KeyOf(HttpRequest request) => request.Path + request.QueryString;
}
