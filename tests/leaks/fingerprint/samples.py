"""Small programs in each supported language, each with the names a copier would rename, and
an unrelated program of the same language (the control)."""

from __future__ import annotations

import re

#: language -> (file name, original with comments, names to rename, unrelated program)
SAMPLES: dict[str, tuple[str, str, list[str], str]] = {
    "python": (
        "ingest.py",
        '''# Batch ingest for the fermentation line
def ingest_batches(records, limit):
    """Group the readings of each batch."""
    batches = {}
    for record in records:  # one reading per row
        key = record["batch"]
        if key not in batches:
            batches[key] = []
        batches[key].append(record["value"] * 1.5)
        if len(batches[key]) > limit:
            batches[key].pop(0)
    totals = [sum(values) / len(values) for values in batches.values()]
    return sorted(totals, reverse=True)[: limit + 2]
''',
        ["ingest_batches", "records", "limit", "batches", "record", "key", "values", "totals"],
        """import os

def walk_sizes(root):
    sizes = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames:
            try:
                sizes.append(os.path.getsize(os.path.join(dirpath, name)))
            except OSError:
                continue
    return max(sizes) if sizes else 0
""",
    ),
    "java": (
        "Ingest.java",
        """// Batch ingest for the fermentation line
public class Ingest {
    /* readings grouped by batch */
    public static double[] ingestBatches(java.util.List<double[]> records, int limit) {
        double[] totals = new double[limit + 2];
        int count = 0;
        for (double[] record : records) {
            if (record[0] > limit) { continue; } // skip late batches
            totals[count % totals.length] += record[1] * 1.5;
            count = count + 1;
        }
        java.util.Arrays.sort(totals);
        return totals;
    }
}
""",
        ["Ingest", "ingestBatches", "records", "limit", "totals", "count", "record"],
        """public class Greeter {
    private final String greeting;
    public Greeter(String greeting) { this.greeting = greeting; }
    public String greet(String who) {
        StringBuilder sb = new StringBuilder();
        sb.append(greeting).append(", ").append(who).append('!');
        return sb.toString();
    }
}
""",
    ),
    "c": (
        "ingest.c",
        """/* Batch ingest for the fermentation line */
#include <stdlib.h>
double ingest_batches(const double *records, int count, int limit) {
    double total = 0.0; // running sum
    int seen = 0;
    for (int index = 0; index < count; index++) {
        if (records[index] > limit) {
            continue;
        }
        total += records[index] * 1.5;
        seen = seen + 1;
    }
    return seen ? total / seen : -1.0;
}
""",
        ["ingest_batches", "records", "count", "limit", "total", "seen", "index"],
        """#include <stdio.h>
int main(int argc, char **argv) {
    FILE *f = fopen(argv[1], "r");
    int c, lines = 0;
    while ((c = fgetc(f)) != EOF)
        if (c == '\\n') lines++;
    printf("%d\\n", lines);
    fclose(f);
    return 0;
}
""",
    ),
    "cpp": (
        "ingest.cpp",
        """// Batch ingest for the fermentation line
#include <vector>
#include <map>
std::map<int, double> ingestBatches(const std::vector<std::pair<int, double>>& records, int limit) {
    std::map<int, double> totals; /* per batch */
    for (const auto& record : records) {
        if (record.first > limit) {
            continue;
        }
        totals[record.first] += record.second * 1.5;
    }
    return totals;
}
""",
        ["ingestBatches", "records", "limit", "totals", "record"],
        """#include <iostream>
#include <string>
class Counter {
  public:
    explicit Counter(std::string name) : name_(name) {}
    void bump() { ++hits_; std::cout << name_ << " " << hits_ << std::endl; }
  private:
    std::string name_;
    int hits_ = 0;
};
""",
    ),
    "javascript": (
        "ingest.js",
        """// Batch ingest for the fermentation line
function ingestBatches(records, limit) {
  const batches = {}; /* by batch */
  for (const record of records) {
    const key = record.batch;
    if (!(key in batches)) {
      batches[key] = [];
    }
    batches[key].push(record.value * 1.5);
  }
  return Object.values(batches)
    .map((values) => values.reduce((a, b) => a + b, 0) / values.length)
    .slice(0, limit);
}
""",
        ["ingestBatches", "records", "limit", "batches", "record", "key", "values"],
        """const http = require("http");
const server = http.createServer((req, res) => {
  res.writeHead(200, { "Content-Type": "text/plain" });
  res.end("hello " + req.url);
});
server.listen(8080, () => console.log("listening"));
""",
    ),
    "typescript": (
        "ingest.ts",
        """// Batch ingest for the fermentation line
interface Reading { batch: string; value: number }
export function ingestBatches(records: Reading[], limit: number): number[] {
  const batches: Record<string, number[]> = {}; /* by batch */
  for (const record of records) {
    const key: string = record.batch;
    if (!(key in batches)) {
      batches[key] = [];
    }
    batches[key].push(record.value * 1.5);
  }
  return Object.values(batches).map((values) => values.length).slice(0, limit);
}
""",
        ["Reading", "ingestBatches", "records", "limit", "batches", "record", "key", "values"],
        """type Point = { x: number; y: number };
export class Path {
  private points: Point[] = [];
  add(p: Point): this { this.points.push(p); return this; }
  length(): number {
    let total = 0;
    return total;
  }
}
""",
    ),
    "go": (
        "ingest.go",
        """// Batch ingest for the fermentation line
package ingest

func IngestBatches(records []float64, limit int) (float64, int) {
	total := 0.0 /* running sum */
	seen := 0
	for index, record := range records {
		if index > limit || record < 0 {
			continue
		}
		total += record * 1.5
		seen = seen + 1
	}
	return total, seen
}
""",
        ["IngestBatches", "records", "limit", "total", "seen", "index", "record"],
        """package main

import (
	"fmt"
	"os"
)

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	fmt.Println(len(data))
}
""",
    ),
    "c_sharp": (
        "Ingest.cs",
        """// Batch ingest for the fermentation line
using System.Collections.Generic;
public static class Ingest {
    /* readings grouped by batch */
    public static double IngestBatches(List<double> records, int limit) {
        double total = 0.0;
        int seen = 0;
        foreach (var record in records) {
            if (record > limit) { continue; } // late
            total += record * 1.5;
            seen = seen + 1;
        }
        return seen > 0 ? total / seen : -1.0;
    }
}
""",
        ["Ingest", "IngestBatches", "records", "limit", "total", "seen", "record"],
        """using System;
namespace Demo {
    public class Clock {
        public DateTime Now() { return DateTime.UtcNow; }
        public override string ToString() { return $"clock {Now():O}"; }
    }
}
""",
    ),
}

_COMMENTS = {
    "python": re.compile(r"#[^\n]*"),
}
_C_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)


def disguise(language: str, source: str, names: list[str]) -> str:
    """The source as a copier hides it: names renamed, comments removed, reformatted."""
    out = source
    for i, name in enumerate(names):
        out = re.sub(rf"\b{re.escape(name)}\b", f"v{i}_{name[::-1].lower()}", out)
    out = _COMMENTS.get(language, _C_COMMENTS).sub("", out)
    if language == "python":
        out = out.replace("(", "( ").replace(", ", " ,  ").replace(" = ", "   =   ")
        out = out.replace("\n", "\n\n")
    else:
        if language != "go":  # Go's braces stay on the line (semicolon insertion)
            out = out.replace(") {", ")\n{")
        out = out.replace("(", " ( ").replace(";", " ;")
        out = "\n".join("  " + line.strip() for line in out.splitlines() if line.strip())
    return out
