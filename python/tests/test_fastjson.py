"""fastjson, the runner's JSON without the json module: the same values and text as json."""

import json
import subprocess
import sys
import unittest

from support import PYTHON_DIR

from spruce_hps import fastjson

SAMPLES = [
    {"x": 3, "lr": 0.001, "act": "relu", "flag": True, "none": None, "list": [1, 2.5, "a"], "nested": {"k": [[]]}},
    {"unicode": "h\u00e9 \u2603 \"quoted\" \\ \n\t", "big": 2 ** 70, "neg": -1e-300, "exp": 1e21},
    [],
    {},
    "text",
    0,
]


class FastJsonTest(unittest.TestCase):
    def test_reads_as_json_does(self):
        for sample in SAMPLES:
            text = json.dumps(sample)
            with self.subTest(text=text):
                self.assertEqual(fastjson.loads(text), json.loads(text))
                self.assertEqual(fastjson.loads("  \n" + text + "\n "), sample)

    def test_writes_as_json_does(self):
        for sample in SAMPLES + [{"objective": float("nan")}, {"o": float("inf"), "p": float("-inf")}, (1, 2)]:
            with self.subTest(sample=sample):
                self.assertEqual(fastjson.dumps(sample), json.dumps(sample))

    def test_errors_are_jsons(self):
        for text in ['{"a": }', '{"a": 1} x', "", "[1, 2"]:
            with self.subTest(text=text):
                with self.assertRaises(ValueError):
                    fastjson.loads(text)

    def test_what_the_scanner_cannot_write_goes_to_json(self):
        self.assertEqual(fastjson.dumps({1: "a"}), json.dumps({1: "a"}))
        with self.assertRaises(TypeError):
            fastjson.dumps({"f": object()})

    def test_the_runner_path_imports_neither_json_nor_re(self):
        # Only what the runner adds counts: some interpreters' site start-up imports re already.
        code = (
            "import sys; before = set(sys.modules);"
            "import spruce_hps.runner, spruce_hps.fastjson as f; f.loads('{\"a\": [1]}'); f.dumps({'a': 1.5});"
            "print(sorted(m for m in ('json', 're', 'importlib.util', 'inspect') if m in set(sys.modules) - before))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], env={"PYTHONPATH": PYTHON_DIR}, stdout=subprocess.PIPE, universal_newlines=True
        )
        self.assertEqual(out.stdout.strip(), "[]")


if __name__ == "__main__":
    unittest.main()
