using System.Net;
using System.Text;
using FluentAssertions;
using Xunit;
using Xunit.Sdk;

namespace Workshop.TestKit.Tests;

public sealed class ProblemAnswersTests
{
    [Fact]
    public void ShouldAllBe_EveryAnswerAProblemWithItsStatus_Passes()
    {
        // Act
        var check = () => ProblemAnswers.ShouldAllBe((Answer(400, "application/problem+json"), 400), (Answer(404, "application/problem+json"), 404));

        // Assert
        check.Should().NotThrow();
    }

    [Fact]
    public void ShouldAllBe_AStatusOrABodyOtherwise_FailsNamingEachRequest()
    {
        // Act
        var check = () => ProblemAnswers.ShouldAllBe(
            (Answer(500, "application/problem+json", "/a"), 400), (Answer(400, "text/plain", "/b"), 400), (Answer(404, "application/problem+json", "/c"), 404));

        // Assert
        check.Should().Throw<XunitException>().WithMessage("2 of 3 bad requests*GET /a answered 500*GET /b answered 400 text/plain*");
    }

    private static HttpResponseMessage Answer(int status, string type, string path = "/x") => new((HttpStatusCode)status)
    {
        Content = new StringContent("{}", Encoding.UTF8, type),
        RequestMessage = new HttpRequestMessage(HttpMethod.Get, new Uri("http://127.0.0.1" + path)),
    };
}
