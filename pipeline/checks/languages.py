"""What each target language writes: its script, quotation marks, neighbour's letters, numbers."""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("cs", "ru", "uk", "sk")


@dataclass(frozen=True)
class _Language:
    name: str
    cyrillic: bool
    quotes: tuple[str, ...]  # accepted double quotation marks, open+close
    foreign: str  # letters a neighbour language has and this one does not
    foreign_name: str
    own: str  # letters this language has and the neighbour does not
    numbers: dict[int, str]  # number words (regex of the forms) for 0-10


_LANGUAGE = {
    "cs": _Language(
        "Czech",
        False,
        ("„“", "»«"),
        "äôĺŕľ",
        "Slovak",
        "řůě",
        {
            0: r"nul\w{0,3}",
            1: r"jed(?:en|n\w{0,4})",
            2: r"dv(?:a|ě|ou|ěma)",
            3: r"tř(?:i|í|em|emi)",
            4: r"čtyř(?:i|ech|em|mi)",
            5: r"pět|pěti",
            6: r"šest|šesti",
            7: r"sedm|sedmi",
            8: r"osm|osmi",
            9: r"devět|devíti",
            10: r"deset|deseti",
        },
    ),
    "sk": _Language(
        "Slovak",
        False,
        ("„“", "»«"),
        "řůě",
        "Czech",
        "äôĺŕľ",
        {
            0: r"nul\w{0,3}",
            1: r"jed(?:en|n\w{0,4})",
            2: r"dv(?:a|e|och|om|oma|aja)",
            3: r"tr(?:i|och|om|omi)",
            4: r"štyr(?:i|och|om|mi)",
            5: r"päť|piat(?:i|ich|im|imi)",
            6: r"šesť|šiest(?:i|ich|im|imi)",
            7: r"sedem|siedm(?:i|ich|im|imi)",
            8: r"osem|ôsm(?:i|ich|im|imi)",
            9: r"deväť|deviat(?:i|ich|im|imi)",
            10: r"desať|desiat(?:i|ich|im|imi)",
        },
    ),
    "ru": _Language(
        "Russian",
        True,
        ("«»", "„“"),
        "іїєґ",
        "Ukrainian",
        "ыэъё",
        {
            0: r"нол\w{0,3}|нул\w{0,3}",
            1: r"од(?:ин|на|но|ного|ной|ному|ним|ною|ну|ни|них)",
            2: r"дв(?:а|е|ух|ум|умя|ое)",
            3: r"тр(?:и|ех|ёх|ем|ём|емя|ое)",
            4: r"четыр(?:е|ех|ёх|ем|ём|ьмя)",
            5: r"пят(?:ь|и|ью)",
            6: r"шест(?:ь|и|ью)",
            7: r"сем(?:ь|и|ью)",
            8: r"вос(?:емь|ьми|емью|ьмью)",
            9: r"девят(?:ь|и|ью)",
            10: r"десят(?:ь|и|ью)",
        },
    ),
    "uk": _Language(
        "Ukrainian",
        True,
        ("«»", "„“"),
        "ыэъё",
        "Russian",
        "іїєґ",
        {
            0: r"нул\w{0,3}",
            1: r"од(?:ин|на|но|не|ного|ній|ному|ним|ною|ну|ні|них)",
            2: r"дв(?:а|і|ох|ом|ома|оє)",
            3: r"тр(?:и|ьох|ьом|ьома|оє)",
            4: r"чотир(?:и|ьох|ьом|ма)",
            5: r"п['’ʼ]?ят(?:ь|и|ьох|ьом|ьма)",
            6: r"шість|шест(?:и|ьох|ьом|ьма)",
            7: r"сім|сем(?:и|ох|ом|ома)",
            8: r"вісім|восьм(?:и|ох|ом|ома)",
            9: r"дев['’ʼ]?ят(?:ь|и|ьох|ьом|ьма)",
            10: r"десят(?:ь|и|ьох|ьом|ьма)",
        },
    ),
}
