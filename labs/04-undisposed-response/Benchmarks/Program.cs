using BenchmarkDotNet.Running;

namespace Lab04.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project labs/04-undisposed-response/Benchmarks -- --filter '*' --job short --inProcess
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
