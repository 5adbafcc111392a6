using BenchmarkDotNet.Running;

namespace Lab05.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project labs/05-data-race/Benchmarks -- --filter '*' --job short --inProcess
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
