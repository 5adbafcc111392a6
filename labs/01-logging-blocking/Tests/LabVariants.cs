using Workshop.TestKit;

[assembly: LabVariant("fixed", typeof(Lab01.Fixed.Marker))]
[assembly: LabVariant("broken", typeof(Lab01.Broken.Marker))]
// The first "fix" tried in production: the same writes behind an unbounded queue.
[assembly: LabVariant("naive-fix", typeof(Lab01.NaiveFix.Marker))]
