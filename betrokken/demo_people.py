"""Made-up families for the demo: Dutch and migrant-background names (never real people),
children in groups 1..8, optional phone and e-mail, and each parent's home language.

Everything is drawn from a `random.Random`, so a seed gives the same families every time."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

# (home languages to draw from, female first names, male first names, surnames, children's names)
BACKGROUNDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "nederlands": (
        ("nl",),
        ("Sanne", "Femke", "Marloes", "Inge", "Anouk", "Judith", "Esther", "Kim", "Lotte", "Mirjam"),
        ("Jeroen", "Bas", "Ruud", "Dennis", "Marco", "Sander", "Erik", "Wouter"),
        ("de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "van Dijk",
         "Dekker", "Brouwer", "van der Linden", "Hendriks", "Verhoeven", "Kok", "Schouten"),
        ("Daan", "Noah", "Sem", "Finn", "Tess", "Julia", "Mila", "Saar", "Lieke", "Bram", "Jesse", "Fleur"),
    ),
    "marokkaans": (
        ("nl", "ar", "ar"),
        ("Fatima", "Khadija", "Samira", "Nadia", "Houda", "Latifa", "Siham", "Naima"),
        ("Mohamed", "Youssef", "Said", "Karim", "Rachid", "Hamza"),
        ("El Amrani", "Bouzid", "Ouali", "Benali", "Azzouz", "El Idrissi", "Ait Taleb", "Lahrichi"),
        ("Adam", "Ilyas", "Amira", "Yasmina", "Rayan", "Sara", "Nour", "Aya", "Ayoub"),
    ),
    "turks": (
        ("tr", "tr", "nl"),
        ("Ayşe", "Elif", "Zeynep", "Emine", "Hatice", "Derya", "Sevda"),
        ("Mehmet", "Mustafa", "Emre", "Hakan", "Osman", "Serkan"),
        ("Yıldırım", "Kaya", "Demirtaş", "Şahinoğlu", "Çelikkol", "Öztürkmen", "Aydoğan", "Korkmazer"),
        ("Eymen", "Yusuf", "Ecrin", "Zehra", "Kerem", "Elanur", "Alperen"),
    ),
    "pools": (
        ("pl",),
        ("Agnieszka", "Katarzyna", "Magdalena", "Joanna", "Ewa"),
        ("Piotr", "Tomasz", "Marcin", "Paweł"),
        ("Nowak", "Mazur", "Zając", "Krawczyk", "Wróbel", "Dudek"),
        ("Zuzanna", "Jakub", "Antoni", "Lena", "Oliwia", "Szymon"),
    ),
    "surinaams": (
        ("nl",),
        ("Shanti", "Priya", "Sharmila", "Joyce", "Gail"),
        ("Ravi", "Anil", "Glenn", "Orlando"),
        ("Ramdinsingh", "Sewnathlal", "Baldewpersad", "Kromodikoro", "Pinasaai"),
        ("Dylan", "Kiara", "Aniesha", "Jayden", "Shaniya"),
    ),
    "syrisch": (
        ("ar",),
        ("Amal", "Rania", "Hiba", "Lama", "Reem"),
        ("Ahmad", "Omar", "Khaled", "Bashar"),
        ("Haddadin", "Al-Khatibi", "Nasrallah", "Darwishan", "Qassemi"),
        ("Maya", "Kareem", "Jana", "Tamim", "Lian"),
    ),
    "ghanees": (
        ("en",),
        ("Akosua", "Abena", "Efua", "Ama"),
        ("Kwame", "Kofi", "Yaw"),
        ("Mensah-Owusu", "Boateng-Asare", "Ofori-Atta", "Acheampongo"),
        ("Kojo", "Esi", "Nana", "Kwabena"),
    ),
}
# Roughly how often each background turns up at the (mostly big-city) demo schools.
WEIGHTS = {"nederlands": 34, "marokkaans": 20, "turks": 18, "pools": 8, "surinaams": 10, "syrisch": 6, "ghanees": 4}


@dataclass(frozen=True)
class Family:
    """A parent (with contact details and home language) and their children (name, group)."""

    name: str
    phone: str | None
    email: str | None
    language: str
    children: list[tuple[str, int]]


def ascii_local(text: str) -> str:
    """An e-mail local part from a name: accents dropped, spaces and hyphens as dots."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return ".".join(plain.lower().replace("-", " ").split())


def draw_family(rng: random.Random, groups: tuple[int, int] = (1, 8)) -> Family:
    """A made-up family; at least one child falls in `groups` (the programme's target groups)."""
    background = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    languages, female, male, surnames, kids = BACKGROUNDS[background]
    first = rng.choice(female) if rng.random() < 0.78 else rng.choice(male)  # mostly mothers come
    surname = rng.choice(surnames)
    name = f"{first} {surname}"
    n_children = rng.choices((1, 2, 3), weights=(50, 35, 15))[0]
    first_group = rng.randint(*groups)
    child_groups = [first_group] + [rng.randint(1, 8) for _ in range(n_children - 1)]
    child_names = rng.sample(kids, k=n_children)
    phone = f"06-{rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.85 else None
    email = f"{ascii_local(first)}.{ascii_local(surname)}@example.org" if rng.random() < 0.55 else None
    return Family(
        name=name,
        phone=phone,
        email=email,
        language=rng.choice(languages),
        children=[(f"{c} {surname}", g) for c, g in zip(child_names, child_groups)],
    )


def engagement(rng: random.Random) -> float:
    """How likely a parent is to turn up at a session (most come often; a few rarely do)."""
    return min(0.97, max(0.25, rng.betavariate(5, 1.6)))


def roll_call_status(rng: random.Random, turns_up: float) -> str:
    """Present, or else afgemeld (excused) about a third of the time, or absent."""
    if rng.random() < turns_up:
        return "present"
    return "excused" if rng.random() < 0.35 else "absent"


def homework_done(rng: random.Random, turns_up: float, was_present: bool) -> bool:
    """Parents who come tend to do the reading at home as well."""
    return rng.random() < (turns_up if was_present else turns_up * 0.4)
