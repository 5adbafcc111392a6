using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Workshop.ServiceKit;

/// <summary>
/// The knob endpoint again, on a port of its own (<c>Workshop:ControlPort</c>, on 127.0.0.1 only) and served by a thread
/// of its own with blocking socket calls: no thread pool thread is involved, so a service whose pool is starved (lab
/// 01's incident, where even <c>/healthz</c> times out) still takes a knob at once, and an instructor can turn the
/// incident off in front of the room. One request per connection, HTTP/1.1, <c>Connection: close</c>.
/// </summary>
internal sealed partial class ControlPortListener(IServiceProvider services, IConfiguration configuration, ILogger<ControlPortListener> logger)
    : IHostedService, IDisposable
{
    private const int MaxHeaderBytes = 16 * 1024;
    private const int MaxBodyBytes = 64 * 1024;
    private TcpListener? _listener;
    private Thread? _thread;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var port = configuration.GetValue<int?>(WorkshopServiceExtensions.ControlPortKey);
        if (!configuration.GetValue<bool>(WorkshopServiceExtensions.ControlKey) || port is not > 0) return Task.CompletedTask;
        _listener = new TcpListener(IPAddress.Loopback, port.Value);
        _listener.Start();
        _thread = new Thread(Serve) { IsBackground = true, Name = "workshop knob control" };
        _thread.Start();
        Listening(logger, port.Value);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _listener?.Stop(); // the blocked accept throws, and the thread ends
        return Task.CompletedTask;
    }

    public void Dispose() => _listener?.Dispose();

    private void Serve()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = _listener!.AcceptSocket();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }
            using (socket)
            {
                try
                {
                    Handle(socket);
                }
                catch (Exception e) when (e is IOException or SocketException or FormatException or DecoderFallbackException)
                {
                    Dropped(logger, e.Message); // a request cut short or malformed: this connection only
                }
            }
        }
    }

    private void Handle(Socket socket)
    {
        socket.ReceiveTimeout = 5_000;
        socket.SendTimeout = 5_000;
        using var stream = new NetworkStream(socket, ownsSocket: false);
        var (head, rest) = ReadHead(stream);
        var lines = head.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3) throw new FormatException($"not an HTTP request line: '{lines[0]}'");
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2).ToLookup(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var input = new PrefixedStream(rest, stream);
        var body = headers["Transfer-Encoding"].Any(v => v.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            ? ReadChunked(input)
            : ReadExactly(input, headers["Content-Length"].Select(v => int.Parse(v, CultureInfo.InvariantCulture)).FirstOrDefault());

        var path = requestLine[1].Split('?')[0];
        var remote = (socket.RemoteEndPoint as IPEndPoint)?.Address;
        var answer = path == LiveKnobsEndpoint.Path
            ? LiveKnobsEndpoint.Respond(services, requestLine[0], remote, Encoding.UTF8.GetString(body))
            : new LiveKnobsEndpoint.Answer(404, "text/plain; charset=utf-8", $"Only {LiveKnobsEndpoint.Path} is served here.");
        var payload = Encoding.UTF8.GetBytes(answer.Json);
        var response = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"HTTP/1.1 {answer.Status} {ReasonPhrase(answer.Status)}\r\nContent-Type: {answer.ContentType}\r\nContent-Length: {payload.Length}\r\nConnection: close\r\n\r\n"));
        stream.Write(response);
        stream.Write(payload);
    }

    // The request's head (up to the blank line) and whatever of the body came with it.
    private static (string Head, byte[] BodyStart) ReadHead(NetworkStream stream)
    {
        var buffer = new byte[MaxHeaderBytes];
        var filled = 0;
        while (true)
        {
            var end = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
            if (end >= 0) return (Encoding.ASCII.GetString(buffer, 0, end), buffer[(end + 4)..filled]);
            if (filled == buffer.Length) throw new FormatException($"a request head over {MaxHeaderBytes} bytes");
            var n = stream.Read(buffer, filled, buffer.Length - filled);
            if (n == 0) throw new IOException("the connection closed before the request's head ended");
            filled += n;
        }
    }

    private static byte[] ReadExactly(Stream input, int length)
    {
        if (length is < 0 or > MaxBodyBytes) throw new FormatException($"a body of {length} bytes");
        var body = new byte[length];
        input.ReadExactly(body);
        return body;
    }

    // HttpClient sends JSON content chunked: size in hex, CRLF, data, CRLF, ..., then a zero-size chunk.
    private static byte[] ReadChunked(Stream input)
    {
        using var body = new MemoryStream();
        while (true)
        {
            var size = int.Parse(ReadLine(input).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0) return body.ToArray();
            if (body.Length + size > MaxBodyBytes) throw new FormatException($"a body over {MaxBodyBytes} bytes");
            body.Write(ReadExactly(input, size));
            ReadLine(input);
        }
    }

    private static string ReadLine(Stream input)
    {
        var line = new StringBuilder();
        for (int b; (b = input.ReadByte()) != '\n';)
        {
            if (b < 0) throw new IOException("the connection closed inside a chunk");
            if (b != '\r') line.Append((char)b);
            if (line.Length > 1024) throw new FormatException("a chunk line over 1 KB");
        }
        return line.ToString();
    }

    /// <summary>The bytes read past the head, then the connection.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream inner) : Stream
    {
        private int _offset;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_offset < prefix.Length)
            {
                var n = Math.Min(count, prefix.Length - _offset);
                Array.Copy(prefix, _offset, buffer, offset, n);
                _offset += n;
                return n;
            }
            return inner.Read(buffer, offset, count);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Status",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Knob control on http://127.0.0.1:{Port}/workshop/knobs, served by a thread of its own")]
    private static partial void Listening(ILogger logger, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A knob control request was dropped: {Reason}")]
    private static partial void Dropped(ILogger logger, string reason);
}
