using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Lab10.Stock;

/// <summary>
/// The one TCP connection to the inventory backend, and its line protocol: a call is a line of JSON with an id of its
/// own; answers come back as lines, in any order, each with the id of its call, and each is handed to the owner as it
/// comes. Connects on first use, and again after the connection has closed (the owner is told when it does).
/// </summary>
public sealed class InventoryConnection(string hostPort, Action<long, int[]> answered, Action closed, ILogger logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private readonly SemaphoreSlim _writing = new(1, 1);
    private Link? _link;

    /// <summary>Sends call <paramref name="id"/>: the request line for <paramref name="basket"/>.</summary>
    public async Task SendAsync(long id, Basket basket, CancellationToken ct)
    {
        var link = await ConnectAsync(ct);
        var request = Request(id, basket);
        await _writing.WaitAsync(ct);
        try
        {
            await link.Stream.WriteAsync(request, ct);
        }
        finally
        {
            _writing.Release();
        }
    }

    private async Task<Link> ConnectAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _link) is { } open) return open;
        await _connecting.WaitAsync(ct);
        try
        {
            if (_link is { } raced) return raced;
            var colon = hostPort.LastIndexOf(':');
            var tcp = new TcpClient { NoDelay = true };
            await tcp.ConnectAsync(hostPort[..colon], int.Parse(hostPort[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture), ct);
            var link = new Link(tcp, tcp.GetStream());
            link.Reader = Task.Run(() => ReadAnswersAsync(link), CancellationToken.None);
            _link = link;
            return link;
        }
        finally
        {
            _connecting.Release();
        }
    }

    private async Task ReadAnswersAsync(Link link)
    {
        using var reader = new StreamReader(link.Stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                using var answer = JsonDocument.Parse(line);
                var id = answer.RootElement.GetProperty("id").GetInt64();
                int[] available = [.. answer.RootElement.GetProperty("available").EnumerateArray().Select(a => a.GetInt32())];
                answered(id, available);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or JsonException)
        {
            logger.LogWarning("The inventory connection closed: {Error}", e.Message);
        }
        Interlocked.CompareExchange(ref _link, null, link);
        closed();
    }

    private static byte[] Request(long id, Basket basket)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("id", id);
            json.WriteString("basketId", basket.BasketId);
            json.WriteStartArray("lines");
            foreach (var line in basket.Lines)
            {
                json.WriteStartObject();
                json.WriteString("sku", line.Sku);
                json.WriteNumber("quantity", line.Quantity);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        if (_link is { } link)
        {
            link.Tcp.Dispose();
            await link.Reader.ConfigureAwait(false);
        }
        _connecting.Dispose();
        _writing.Dispose();
    }

    private sealed class Link(TcpClient tcp, NetworkStream stream)
    {
        public TcpClient Tcp { get; } = tcp;

        public NetworkStream Stream { get; } = stream;

        public Task Reader { get; set; } = Task.CompletedTask;
    }
}
