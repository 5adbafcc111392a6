using System.Net;
using System.Net.Sockets;
using Workshop.Toolkit.Diagnostics;
using Workshop.Toolkit.Processes;

namespace Workshop.Toolkit.Tests;

/// <summary>The downstream fake the gateway labs call, and the socket count their specs read.</summary>
public sealed class DownstreamTests
{
    [Fact]
    public async Task Downstream_TwoClientsWithOwnConnections_CountsTwoAcceptedAndAnswersWithTheRequestFirst()
    {
        // Arrange
        await using var provider = await Downstream.StartAsync();
        var before = await provider.ConnectionsAcceptedAsync();

        // Act: two clients, so two connections.
        string first;
        using (var one = new HttpClient { BaseAddress = provider.BaseAddress })
        using (var two = new HttpClient { BaseAddress = provider.BaseAddress })
        {
            first = (await one.GetStringAsync(new Uri("/observations/Paris", UriKind.Relative))).Split('\n')[0];
            await two.GetStringAsync(new Uri("/observations/Lyon", UriKind.Relative));
        }
        var accepted = await provider.ConnectionsAcceptedAsync() - before;

        // Assert
        accepted.Should().Be(2, "each client opened its own connection");
        first.Should().Contain("\"path\":\"/observations/Paris\"").And.Contain("\"sequence\":");
    }

    [Fact]
    public async Task Downstream_ToldToFail_AnswersTheStatusFromTheNextRequestOn()
    {
        // Arrange
        await using var provider = await Downstream.StartAsync();
        using var client = new HttpClient { BaseAddress = provider.BaseAddress };

        // Act
        await provider.SetAsync(DownstreamBehaviour.Fail(503));
        using var response = await client.GetAsync(new Uri("/anything", UriKind.Relative));

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task Downstream_ToldToHang_SendsNoAnswerUntilTheClientGivesUp()
    {
        // Arrange
        await using var provider = await Downstream.StartAsync(DownstreamBehaviour.Hang);
        using var client = new HttpClient { BaseAddress = provider.BaseAddress, Timeout = TimeSpan.FromMilliseconds(500) };

        // Act
        var call = () => client.GetAsync(new Uri("/anything", UriKind.Relative));

        // Assert
        await call.Should().ThrowAsync<TaskCanceledException>();
    }

    [Fact]
    public async Task Downstream_ToldToFailAQuarterOfTheTime_FailsEveryFourthRequest()
    {
        // Arrange
        await using var provider = await Downstream.StartAsync(DownstreamBehaviour.Fail(500).Sometimes(0.25));
        using var client = new HttpClient { BaseAddress = provider.BaseAddress };

        // Act
        var statuses = new List<int>();
        for (var i = 0; i < 12; i++)
        {
            using var response = await client.GetAsync(new Uri("/anything", UriKind.Relative));
            statuses.Add((int)response.StatusCode);
        }

        // Assert
        statuses.Should().Equal([200, 200, 200, 500, 200, 200, 200, 500, 200, 200, 200, 500], "a rate of 0.25 fails requests 4, 8 and 12");
    }

    [Fact]
    public async Task TcpSockets_OneOpenConnection_CountsOneToItsRemotePort()
    {
        // Arrange
        if (!TcpSockets.Supported) return; // /proc only
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        // Act
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        using var accepted = await listener.AcceptTcpClientAsync();
        var count = TcpSockets.ToRemotePort(Environment.ProcessId, port);

        // Assert: the client's side only (the accepted side's remote port is the client's).
        count.Should().Equal(new Dictionary<string, int> { ["ESTABLISHED"] = 1 });
    }
}
