#!/usr/bin/env python3
"""Deterministic generator for reclab's bundled sample data.

Writes catalog.csv, interactions.csv, new_items.csv and README.md next to this script.
Python 3.11, standard library only. All randomness comes from one seeded
random.Random instance and every date is fixed, so repeated runs produce
byte-identical files:

    python3 sample_data/generate.py
"""

from __future__ import annotations

import csv
import io
import os
import random
from datetime import datetime, timedelta, timezone

SEED = 20261115
HERE = os.path.dirname(os.path.abspath(__file__))

UTC = timezone.utc
DEMO_NOW = datetime(2026, 11, 15, 12, 0, 0, tzinfo=UTC)
LOG_START = datetime(2026, 10, 1, 0, 0, 0, tzinfo=UTC)
LOG_END = datetime(2026, 11, 15, 11, 59, 59, tzinfo=UTC)
NOW_TS = int(DEMO_NOW.timestamp())
START_TS = int(LOG_START.timestamp())
END_TS = int(LOG_END.timestamp())
DAY = 86_400

HEADER = [
    "id", "name", "name_ko", "category", "tags", "description", "price", "currency", "stock",
    "purchase_limit", "released_at", "expires_at", "vertical", "brand", "rarity", "rating",
    "calories", "organic", "size",
]
EVENT_HEADER = ["user_id", "item_id", "event_type", "timestamp", "value"]

# Item ids that appear in interactions.csv on purpose although they are in no catalog
# (delisted items): the importer has to report them, not silently drop them.
DIRTY_ITEM_IDS = ["1998", "2998", "3999"]

rng = random.Random(SEED)


# --------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------

def ts_of(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> int:
    return int(datetime(y, m, d, hh, mm, ss, tzinfo=UTC).timestamp())


def fmt_ts(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fmt_date(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


def date_ts(s: str) -> int:
    y, m, d = (int(p) for p in s.split("-"))
    return ts_of(y, m, d)


def random_date(lo: str, hi: str) -> str:
    """A uniformly random calendar date between lo and hi (inclusive), as YYYY-MM-DD."""
    a, b = date_ts(lo) // DAY, date_ts(hi) // DAY
    return fmt_date(rng.randint(a, b) * DAY)


def krw(p: float) -> int:
    """Rounds a raw won amount to a shop-like price (3,900 / 12,900 / 159,000)."""
    if p < 1000:
        return max(500, int(round(p / 100.0)) * 100)
    if p < 10000:
        v = int(round(p / 100.0)) * 100
        if v % 1000 == 0:
            v -= 100
        return v
    if p < 100000:
        v = int(round(p / 1000.0)) * 1000
        return v - 100 if rng.random() < 0.7 else v
    v = int(round(p / 1000.0)) * 1000
    return v - 1000 if rng.random() < 0.4 else v


def rating(mean: float, spread: float = 0.45) -> str:
    r = rng.gauss(mean, spread)
    r = min(5.0, max(1.0, r))
    return f"{r:.1f}"


def pick(seq):
    return seq[rng.randrange(len(seq))]


def sample(seq, k):
    return rng.sample(list(seq), min(k, len(seq)))


def tags_join(tags) -> str:
    out = []
    for t in tags:
        t = t.strip().lower().replace(" ", "-")
        if t and t not in out:
            out.append(t)
    return "|".join(out)


def new_row(**kw) -> dict:
    row = {h: "" for h in HEADER}
    for k, v in kw.items():
        assert k in row, k
        row[k] = "" if v is None else str(v)
    return row


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


# --------------------------------------------------------------------------------------
# GAME: the in-game shop of a looter-shooter whose playable characters are "Descendants"
# --------------------------------------------------------------------------------------

# key, English, Korean, gender, element (en, ko), what they do, release date, popularity
DESCENDANTS = [
    ("serena", "Serena", "세레나", "f", ("electric", "전기"),
     "soars over the battlefield on jet-assisted flight and rains lightning lances on the enemies below",
     "2026-11-10", 0.0),
    ("gley", "Gley", "글레이", "f", ("non-attribute", "무속성"),
     "trades her own health for raw firepower, turning every wound into a burst of damage",
     "2025-07-02", 1.6),
    ("hailey", "Hailey", "헤일리", "f", ("chill", "냉기"),
     "is a cold-blooded sniper who freezes targets from extreme range",
     "2025-10-10", 1.4),
    ("bunny", "Bunny", "버니", "f", ("electric", "전기"),
     "dashes across the field at high speed, discharging electricity with every step",
     "2025-07-02", 2.0),
    ("ajax", "Ajax", "에이잭스", "m", ("non-attribute", "무속성"),
     "shields the squad with hard-light barriers and soaks up punishment on the front line",
     "2025-07-02", 0.8),
    ("viessa", "Viessa", "비에사", "f", ("chill", "냉기"),
     "summons blizzards that slow and shatter whole groups of enemies",
     "2025-07-02", 1.3),
    ("lepic", "Lepic", "레픽", "m", ("fire", "화염"),
     "lobs grenades and overclocks his weapons for explosive close-range damage",
     "2025-07-02", 0.9),
    ("yujin", "Yujin", "유진", "m", ("toxic", "독"),
     "heals allies with support drones and keeps the squad alive through long boss fights",
     "2025-07-02", 0.6),
    ("freyna", "Freyna", "프레이나", "f", ("toxic", "독"),
     "spreads poison across the battlefield and melts crowds over time",
     "2025-07-02", 1.0),
    ("sharen", "Sharen", "샤렌", "f", ("electric", "전기"),
     "turns invisible and strikes from the shadows with an energy blade",
     "2025-07-02", 1.0),
    ("kyle", "Kyle", "카일", "m", ("non-attribute", "무속성"),
     "bends magnetic force to pull enemies in and absorb incoming damage",
     "2025-07-02", 0.5),
    ("jayber", "Jayber", "제이버", "m", ("non-attribute", "무속성"),
     "deploys turrets and support devices to lock down an area",
     "2025-08-20", 0.5),
    ("valby", "Valby", "발비", "f", ("chill", "냉기"),
     "melts into a puddle of water and glides straight through enemy lines",
     "2025-07-02", 1.1),
    ("esiemo", "Esiemo", "에시모", "m", ("fire", "화염"),
     "plants arche bombs and sets them off in chain explosions",
     "2025-08-20", 0.6),
    ("enzo", "Enzo", "엔조", "m", ("non-attribute", "무속성"),
     "hands out ammunition and boosts the squad's firepower with support gadgets",
     "2025-07-02", 0.5),
    ("luna", "Luna", "루나", "f", ("non-attribute", "무속성"),
     "plays battle music that buffs allies and disrupts enemies to the beat",
     "2025-12-18", 1.2),
    ("blair", "Blair", "블레어", "m", ("fire", "화염"),
     "cooks enemies with a flamethrower and a ring of fiery traps",
     "2025-07-02", 0.6),
    ("ines", "Ines", "이네스", "f", ("electric", "전기"),
     "chains electric shocks from enemy to enemy across the battlefield",
     "2026-03-12", 0.9),
    ("keelan", "Keelan", "킬런", "m", ("toxic", "독"),
     "hunts down weakened enemies with a pair of toxic blades",
     "2026-06-25", 0.7),
]
DESC_BY_KEY = {d[0]: d for d in DESCENDANTS}

SKIN_THEMES = [
    ("Midnight Racer", "미드나이트 레이서", "a sleek black-and-chrome racing suit with neon trim"),
    ("Sakura Festival", "벚꽃 축제", "a pastel festival outfit scattered with cherry blossom petals"),
    ("Neon Runner", "네온 러너", "a street-runner jacket with glowing neon piping"),
    ("Winter Guard", "윈터 가드", "a fur-lined arctic combat uniform"),
    ("Desert Nomad", "사막 유랑자", "layered sand-coloured wraps and brass goggles"),
    ("Abyss Knight", "심연의 기사", "dark plate armour veined with violet light"),
    ("Crimson Idol", "크림슨 아이돌", "a red stage costume with sequins and a headset mic"),
    ("Summer Breeze", "여름 바람", "a light beachwear outfit from the summer event"),
    ("Iron Vanguard", "아이언 뱅가드", "heavy military armour with riveted shoulder plates"),
    ("Starlight Diva", "별빛 디바", "a shimmering evening gown studded with star-shaped crystals"),
    ("Phantom Thief", "팬텀 시프", "a masked gentleman-thief costume with a flowing cape"),
    ("Royal Guard", "로열 가드", "a ceremonial palace-guard uniform in navy and gold"),
    ("Cyber Ronin", "사이버 로닌", "a futuristic samurai outfit with a holographic haori"),
    ("Ocean Tide", "오션 타이드", "a deep-blue diving suit with coral motifs"),
    ("Shadow Operative", "섀도우 오퍼레이티브", "a matte black stealth suit with tactical harnesses"),
    ("Casual Weekend", "캐주얼 위크엔드", "an off-duty look with an oversized hoodie and sneakers"),
    ("Ballroom Noir", "볼룸 누아르", "a black-tie ballroom outfit with satin gloves"),
    ("Golden Sovereign", "황금 군주", "gilded ceremonial armour with an ornate crown piece"),
    ("Street Graffiti", "스트리트 그래피티", "a paint-splattered streetwear outfit"),
    ("Blood Moon", "블러드 문", "a crimson hunter's coat worn under an eclipsed moon"),
    ("Jade Dynasty", "비취 왕조", "a silk court robe embroidered with jade-green dragons"),
    ("Frost Valkyrie", "서리 발키리", "winged ice armour with a frosted helm"),
    ("Rookie Agent", "신입 요원", "a crisp agency suit with an earpiece"),
    ("Biohazard Unit", "생화학 부대", "a sealed hazmat suit with glowing filters"),
    ("Pumpkin Night", "호박 축제의 밤", "a playful Halloween costume with pumpkin lanterns"),
]
# Holiday skins already listed in the shop but released after the demo "now".
UPCOMING_THEMES = [
    ("Holiday Cheer", "홀리데이 치어", "a festive red-and-white winter outfit with a chunky knit scarf"),
    ("New Year Hanbok", "새해 한복", "a modern hanbok in bright silk for the New Year"),
]

HAIR_COLOURS = [
    ("Platinum Blonde", "플래티넘 블론드"), ("Rose Gold", "로즈 골드"), ("Jet Black", "제트 블랙"),
    ("Silver", "실버"), ("Cherry Red", "체리 레드"), ("Lavender", "라벤더"), ("Mint", "민트"),
    ("Honey Brown", "허니 브라운"), ("Copper", "코퍼"), ("Midnight Blue", "미드나잇 블루"),
    ("Pastel Pink", "파스텔 핑크"), ("Ash Grey", "애쉬 그레이"), ("Chestnut", "체스트넛"),
    ("Snow White", "스노우 화이트"), ("Burgundy", "버건디"),
]
HAIR_STYLES_F = [
    ("Long Hair", "롱 헤어"), ("Bob Cut", "보브 컷"), ("Twin Tails", "트윈 테일"),
    ("Ponytail", "포니테일"), ("Braided Bun", "브레이드 번"), ("Wolf Cut", "울프 컷"),
    ("Side Braid", "사이드 브레이드"), ("Hime Cut", "히메 컷"), ("Wavy Perm", "웨이브 펌"),
    ("Pixie Cut", "픽시 컷"),
]
HAIR_STYLES_M = [
    ("Undercut", "언더컷"), ("Buzz Cut", "버즈 컷"), ("Slick Back", "슬릭백"),
    ("Two-block Cut", "투블럭 컷"), ("Messy Fringe", "메시 프린지"), ("Man Bun", "맨 번"),
    ("Short Crop", "숏 크롭"), ("Dreadlocks", "드레드락"),
]
HEADGEAR = [
    ("Tactical Visor", "택티컬 바이저", "a smoked tactical visor with a heads-up display"),
    ("Cat Ear Headset", "고양이 귀 헤드셋", "a gaming headset with glowing cat ears"),
    ("Horned Circlet", "뿔 장식 서클릿", "a dark circlet with two curved horns"),
    ("Crystal Tiara", "크리스탈 티아라", "a delicate tiara of pale blue crystals"),
    ("Gas Mask", "방독면", "a battered gas mask with twin filters"),
    ("Night Vision Goggles", "야간 투시경", "green-lit night vision goggles"),
    ("Officer Beret", "장교 베레모", "a crisp officer's beret with a brass badge"),
    ("Bandana", "반다나", "a faded red bandana tied over the forehead"),
    ("Void Crown", "보이드 크라운", "a floating crown of black shards"),
    ("Plague Mask", "역병 의사 가면", "a beaked plague-doctor mask"),
    ("Holo Veil", "홀로 베일", "a translucent holographic veil"),
    ("Feather Hairpin", "깃털 헤어핀", "a silver hairpin with white feathers"),
]
MAKEUP_A = [
    ("Camellia", "동백"), ("Lilac", "라일락"), ("Magnolia", "목련"), ("Cherry Blossom", "벚꽃"),
    ("Moonstone", "문스톤"), ("Ruby", "루비"), ("Sapphire", "사파이어"), ("Amethyst", "자수정"),
    ("Coral", "코랄"), ("Frost", "서리"), ("Aurora", "오로라"), ("Twilight", "황혼"),
    ("Dawn", "새벽"), ("Lotus", "연꽃"), ("Orchid", "난초"), ("Marigold", "금잔화"),
    ("Jasmine", "재스민"), ("Ember", "엠버"), ("Obsidian", "옵시디언"), ("Pearl", "진주"),
]
MAKEUP_B_F = [
    ("Glow", "글로우", "a dewy, glowing finish"), ("Eyeshadow", "아이섀도", "shimmering eyeshadow"),
    ("Blush", "블러시", "a soft blush across the cheeks"), ("Lip Tint", "립 틴트", "a sheer lip tint"),
    ("Glitter", "글리터", "fine glitter around the eyes"), ("Eyeliner", "아이라이너", "a sharp winged eyeliner"),
]
MAKEUP_B_M = [
    ("War Paint", "워 페인트", "bold war paint across the face"),
    ("Face Paint", "페이스 페인트", "striped face paint"),
    ("Face Tattoo", "페이스 타투", "a fine-line face tattoo"),
]

WEAPON_TYPES = [
    ("assault rifle", "돌격소총"), ("sniper rifle", "저격소총"), ("shotgun", "산탄총"),
    ("hand cannon", "핸드 캐논"), ("submachine gun", "기관단총"), ("machine gun", "기관총"),
    ("launcher", "런처"), ("beam rifle", "빔 라이플"), ("tactical rifle", "전술 소총"),
    ("scout rifle", "정찰 소총"),
]
WEAPON_PREFIX = [
    ("Thunder", "썬더"), ("Obsidian", "옵시디언"), ("Crimson", "크림슨"), ("Silent", "사일런트"),
    ("Eternal", "이터널"), ("Frozen", "프로즌"), ("Venom", "베놈"), ("Iron", "아이언"),
    ("Solar", "솔라"), ("Vortex", "보텍스"), ("Phantom", "팬텀"), ("Storm", "스톰"),
    ("Savage", "새비지"), ("Nova", "노바"), ("Abyssal", "어비설"), ("Scarlet", "스칼렛"),
    ("Hollow", "할로우"), ("Royal", "로열"),
]
WEAPON_NOUN = [
    ("Reaper", "리퍼"), ("Lance", "랜스"), ("Fang", "팽"), ("Cycle", "사이클"), ("Howl", "하울"),
    ("Requiem", "레퀴엠"), ("Verdict", "버딕트"), ("Tempest", "템페스트"), ("Hound", "하운드"),
    ("Legacy", "레거시"), ("Oath", "오스"), ("Bloom", "블룸"), ("Echo", "에코"),
    ("Breaker", "브레이커"), ("Whisper", "위스퍼"),
]
WEAPON_EFFECTS = [
    "chains lightning to nearby enemies on every third hit",
    "marks weak points so your whole squad deals extra damage to them",
    "fires piercing rounds that punch through shields",
    "refills its magazine after a weak-point kill",
    "builds up heat with sustained fire and ends in a blazing burst",
    "slows enemies with chill rounds, perfect for boss raids",
    "leaves a toxic cloud where its rounds land",
    "charges a single devastating shot when you hold the trigger",
    "grants a short movement-speed boost after each reload",
    "splits each round into three fragments at long range",
]
WEAPON_SKIN_THEMES = [
    ("Neon Pulse", "네온 펄스"), ("Gilded Dragon", "황금 용"), ("Arctic Camo", "설원 위장"),
    ("Carbon Fiber", "카본 파이버"), ("Sakura", "벚꽃"), ("Molten Core", "용암 코어"),
    ("Toxic Sludge", "독성 슬러지"), ("Pixel Glitch", "픽셀 글리치"), ("Royal Filigree", "로열 필리그리"),
    ("Tiger Stripe", "호랑이 줄무늬"), ("Deep Sea", "심해"), ("Galaxy", "갤럭시"),
]
EMOTES = [
    ("Victory Dance", "승리의 춤", "A short victory dance for the end of a mission."),
    ("Salute", "경례", "A crisp military salute."),
    ("Heart Hands", "손하트", "Makes a heart with both hands, perfect for squad photos."),
    ("Finger Guns", "손가락 총", "Fires a pair of finger guns and blows the smoke away."),
    ("Slow Clap", "느린 박수", "A slow, sarcastic clap."),
    ("Facepalm", "이마 짚기", "For when your squad wipes on the last phase."),
    ("Shadow Boxing", "섀도 복싱", "A quick shadow-boxing combo."),
    ("Moonwalk", "문워크", "Glides backwards in a smooth moonwalk."),
    ("Sit and Wave", "앉아서 손 흔들기", "Sits down and waves at passing players."),
    ("Deep Bow", "정중한 인사", "A deep, polite bow."),
    ("Headbang", "헤드뱅잉", "Headbangs to a beat only the Descendant can hear."),
    ("Yawn", "하품", "A big, bored yawn while waiting in the lobby."),
    ("Meditation", "명상", "Floats cross-legged in calm meditation."),
    ("Air Guitar", "에어 기타", "A full air-guitar solo with a power slide."),
    ("Push-ups", "팔굽혀펴기", "Drops down for a set of push-ups."),
    ("Selfie", "셀카 찍기", "Pulls out a phone and snaps a selfie."),
    ("Thumbs Up", "엄지 척", "A cheerful thumbs up."),
    ("Taunt", "도발", "Beckons the enemy closer."),
    ("Laugh Out Loud", "폭소", "Doubles over laughing."),
    ("Confetti Pop", "폭죽 터뜨리기", "Pops a confetti cannon over the squad."),
    ("Ballet Spin", "발레 턴", "An elegant ballet pirouette."),
    ("Robot Dance", "로봇 댄스", "Stiff, jerky robot-dance moves."),
    ("Sleepy Nap", "꾸벅 졸기", "Nods off standing up."),
    ("Cheer", "응원", "Cheers the squad on with both arms raised."),
    ("Flex", "근육 자랑", "Flexes both arms to show off."),
    ("Bunny Hop", "토끼 뜀뛰기", "Hops around like a rabbit."),
    ("Tea Time", "티타임", "Sits down for a calm cup of tea."),
]
BACK_ATTACHMENTS = [
    ("Angel Wings", "천사 날개", "a pair of white feathered wings that flutter when you sprint"),
    ("Demon Wings", "악마 날개", "leathery black wings with glowing red edges"),
    ("Jetpack Thrusters", "제트팩 추진기", "twin jetpack thrusters that flare when you jump"),
    ("Butterfly Wings", "나비 날개", "iridescent butterfly wings"),
    ("Mechanical Tail", "기계 꼬리", "a segmented mechanical tail that sways as you move"),
    ("Holo Cape", "홀로 망토", "a holographic cape that ripples with data"),
    ("Sword Sheath", "검집", "an ornate sword sheath slung across the back"),
    ("Ice Crystal Wings", "얼음 결정 날개", "wings of jagged ice crystals"),
    ("Flame Halo", "화염 헤일로", "a ring of fire that hovers behind the shoulders"),
    ("Drone Companion", "드론 동반자", "a small companion drone that follows you around"),
    ("Fox Tails", "여우 꼬리", "nine fluffy fox tails"),
    ("Banner of Victory", "승리의 깃발", "a tattered war banner"),
    ("Cherry Blossom Branch", "벚꽃 가지", "a blooming cherry branch that drops petals"),
    ("Energy Rings", "에너지 링", "rotating rings of blue energy"),
    ("Guitar Case", "기타 케이스", "a battered guitar case covered in stickers"),
    ("Teddy Bear Backpack", "곰인형 가방", "a teddy-bear backpack"),
    ("Void Orbs", "보이드 오브", "three orbiting orbs of void energy"),
    ("Radio Backpack", "무전기 배낭", "a field radio backpack with a whip antenna"),
]
SPAWN_EFFECTS = [
    ("Lightning Strike", "번개 강림", "arrive on the field in a bolt of lightning"),
    ("Cherry Petal Storm", "벚꽃 폭풍", "appear inside a swirl of cherry petals"),
    ("Ice Shatter", "얼음 파편", "burst out of a block of ice"),
    ("Hellfire Descent", "지옥불 강림", "drop from the sky wrapped in flames"),
    ("Digital Glitch", "디지털 글리치", "materialise through a digital glitch"),
    ("Smoke Bomb", "연막탄", "appear out of a cloud of smoke"),
    ("Teleport Beam", "텔레포트 빔", "beam down in a column of light"),
    ("Starfall", "별똥별", "land like a falling star"),
    ("Golden Confetti", "황금 폭죽", "spawn under a shower of golden confetti"),
    ("Toxic Cloud", "독안개", "step out of a green toxic cloud"),
    ("Black Hole", "블랙홀", "emerge from a collapsing black hole"),
    ("Phoenix Rise", "불사조의 비상", "rise from the ashes with phoenix wings"),
    ("Portal Gate", "포털 게이트", "walk through a glowing portal gate"),
    ("Paper Cranes", "종이학", "appear as a flock of paper cranes unfolds"),
]
HELPERS = [
    ("Amorphous Material Pack", "비정형 물질 팩", "Ten random amorphous materials for opening reactor and weapon patterns.", 5),
    ("Gold Booster (7 Days)", "골드 부스터 (7일)", "Increases gold gained from missions by 50% for seven days.", 4),
    ("EXP Booster (7 Days)", "경험치 부스터 (7일)", "Increases account and Descendant EXP by 50% for seven days.", 4),
    ("Mastery Rank Booster", "마스터리 랭크 부스터", "Doubles mastery EXP for three days.", 3),
    ("Module Slot Expansion", "모듈 슬롯 확장", "Adds one extra module slot to a Descendant or weapon.", 10),
    ("Inventory Expansion Kit", "인벤토리 확장 키트", "Expands your weapon and module inventory by 20 slots.", 10),
    ("Research Acceleration Bundle", "연구 가속 번들", "Speeds up research in the lab so new Descendants and weapons finish sooner.", 5),
    ("Void Reactor Starter Pack", "보이드 반응로 스타터 팩", "Reactor parts and catalysts for players starting the Void Reactor content.", 3),
    ("Boss Raid Supply Crate", "보스 레이드 보급 상자", "Ammo, revive kits and shields for Colossus raids.", 6),
    ("Infiltration Operation Bundle", "침투 작전 번들", "Keys and materials for infiltration operations.", 5),
    ("Kuiper Mining Bundle", "카이퍼 채굴 번들", "Boosts Kuiper shard drops for a week of module upgrades.", 4),
    ("Ammo Supply Crate", "탄약 보급 상자", "A crate of special and impact ammo refills.", 10),
    ("Descendant Slot Expansion", "계승자 슬롯 확장", "Adds one more Descendant loadout slot.", 3),
    ("Weapon Slot Expansion", "무기 슬롯 확장", "Adds one more weapon loadout slot.", 3),
    ("Energy Activator Bundle", "에너지 활성체 번들", "Energy activators for unlocking extra module capacity.", 5),
    ("Crystallization Catalyst Pack", "결정화 촉매 팩", "Catalysts for upgrading your Descendant's maximum module capacity.", 6),
    ("Newcomer Growth Bundle", "신규 성장 번들", "Boosters and materials to help new players catch up quickly.", 3),
    ("Returning Player Bundle", "복귀 지원 번들", "A welcome-back bundle of boosters, gold and catalysts.", 3),
    ("Colossus Hunter Bundle", "거신 사냥꾼 번들", "Revives, shields and damage boosters for Colossus battles.", 5),
    ("Weekly Supply Bundle", "주간 보급 번들", "A weekly bundle of gold, Kuiper shards and ammo.", 8),
]
CURRENCY_PACKS = [
    ("Gold Pack (Small)", "골드 팩 (소)", "500,000 gold for module upgrades and research.", 200, 10),
    ("Gold Pack (Large)", "골드 팩 (대)", "3,000,000 gold for module upgrades and research.", 900, 5),
    ("Kuiper Shard Pack (Small)", "카이퍼 조각 팩 (소)", "100,000 Kuiper shards for module enhancement.", 250, 10),
    ("Kuiper Shard Pack (Large)", "카이퍼 조각 팩 (대)", "600,000 Kuiper shards for module enhancement.", 1100, 5),
    ("Catalyst Pack", "촉매 팩", "Three crystallization catalysts in one pack.", 1500, 5),
    ("Activator Pack", "활성체 팩", "Three energy activators in one pack.", 1500, 5),
    ("Reactor Part Pack", "반응로 부품 팩", "A bundle of reactor parts for the Void Reactor.", 300, 8),
    ("Revive Kit Pack", "부활 키트 팩", "Ten revive kits for tough missions.", 100, 10),
]

GAME_RARITY = {
    "Descendant": ["Ultimate", "Legendary", "Rare"],
    "Premium skin": ["Ultimate", "Legendary"],
    "Head skin": ["Rare", "Legendary"],
    "Makeup": ["Common", "Rare"],
    "Helper": ["Common", "Rare"],
    "Weapon": ["Ultimate", "Legendary", "Rare"],
    "Weapon skin": ["Rare", "Legendary"],
    "Emote": ["Common", "Rare"],
    "Back attachment": ["Rare", "Legendary"],
    "Spawn effect": ["Rare", "Legendary"],
    "Currency pack": ["Common"],
}


class Catalog:
    """Collects rows and side information (descendant of a cosmetic, product key, ...)."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.by_id: dict[str, dict] = {}
        self.names: dict[str, set] = {}
        self.meta: dict[str, dict] = {}

    def add(self, row: dict, **meta) -> dict:
        iid = row["id"]
        assert iid not in self.by_id, iid
        v = row["vertical"]
        seen = self.names.setdefault(v, set())
        assert row["name"] not in seen, (v, row["name"])
        seen.add(row["name"])
        self.rows.append(row)
        self.by_id[iid] = row
        self.meta[iid] = meta
        return row

    def has_name(self, vertical: str, name: str) -> bool:
        return name in self.names.get(vertical, set())


def game_row(iid, name, name_ko, category, tags, desc, price, limit, released, rarity=None):
    return new_row(
        id=iid, name=name, name_ko=name_ko, category=category, tags=tags_join(tags),
        description=desc, price=price, currency="caliber", purchase_limit=limit,
        released_at=released, vertical="game", rarity=rarity or pick(GAME_RARITY[category]),
    )


def build_game(cat: Catalog, new_items: Catalog) -> None:
    L = "2026-11-10"
    fixed = [
        (1001, "Serena", "세레나", "Descendant", ["serena", "descendant", "electric", "flight", "launch", "new"],
         "Serena, the newest Descendant, soars over the battlefield on jet-assisted flight and rains "
         "lightning lances on the enemies below. Unlocks her instantly, no research materials needed.",
         1800, 1, L, "Ultimate", "serena"),
        (1002, "Serena's Exo Sister", "세레나의 엑소 시스터", "Premium skin",
         ["serena", "skin", "premium", "limited", "launch"],
         "Premium launch skin for Serena: a white-and-silver exo suit with a nun-inspired veil and glowing "
         "flight thrusters. Available for a limited time with her launch.",
         2800, 1, L, "Ultimate", "serena"),
        (1003, "Ash Beige Long Hair", "애쉬 베이지 롱 헤어", "Head skin", ["serena", "head-skin", "hair", "launch"],
         "Long ash beige hairstyle for Serena, released with her launch.", 600, 1, L, "Rare", "serena"),
        (1004, "Dark Wave Brown", "다크 웨이브 브라운", "Head skin", ["serena", "head-skin", "hair", "launch"],
         "Dark brown wavy hairstyle for Serena, released with her launch. Falls to the shoulders in loose waves.",
         600, 1, L, "Rare", "serena"),
        (1005, "Arche Halo", "아르케 헤일로", "Head skin", ["serena", "head-skin", "headgear", "halo", "launch"],
         "A glowing arche halo that floats above Serena's head, released with her launch.",
         800, 1, L, "Legendary", "serena"),
        (1006, "Wisteria", "위스테리아", "Makeup", ["serena", "makeup", "purple", "launch"],
         "Soft wisteria-purple eye makeup for Serena, released with her launch.", 300, 1, L, "Rare", "serena"),
        (1007, "Peony", "작약", "Makeup", ["serena", "makeup", "pink", "launch"],
         "Peony-pink blush and lip tint for Serena, released with her launch.", 300, 1, L, "Rare", "serena"),
        (1008, "Snowflake", "눈송이", "Makeup", ["serena", "makeup", "white", "launch"],
         "Frosty white eyeliner with tiny snowflake decals for Serena, released with her launch.",
         300, 1, L, "Rare", "serena"),
        (1009, "Excavation Specialist Bundle", "발굴 특화 번들", "Helper",
         ["helper", "bundle", "excavation", "new-region", "launch"],
         "Helper bundle for the new excavation region: detector charges, Kuiper boosters and an extra "
         "dig slot, so you can farm the new materials faster.", 900, 5, L, "Rare", None),
        (1010, "Flight Adaptation Training Bundle", "비행 적응 훈련 번들", "Helper",
         ["helper", "bundle", "flight", "new-region", "launch"],
         "Training bundle for the new flight content: thruster fuel, flight-mastery boosters and a "
         "practice course pass. Pairs well with Serena.", 1200, 3, L, "Rare", None),
        (1011, "Gley", "글레이", "Descendant", ["gley", "descendant", "non-attribute"],
         "Gley trades her own health for raw firepower, turning every wound into a burst of damage. "
         "Unlocks her instantly, no research materials needed.", 1500, 1, "2025-07-02", "Legendary", "gley"),
        (1012, "Hailey", "헤일리", "Descendant", ["hailey", "descendant", "chill", "sniper"],
         "Hailey is a cold-blooded sniper who freezes targets from extreme range. "
         "Unlocks her instantly, no research materials needed.", 1600, 1, "2025-10-10", "Legendary", "hailey"),
        (1013, "Bunny", "버니", "Descendant", ["bunny", "descendant", "electric"],
         "Bunny dashes across the field at high speed, discharging electricity with every step. "
         "Unlocks her instantly, no research materials needed.", 1200, 1, "2025-07-02", "Rare", "bunny"),
        (1014, "Ajax", "에이잭스", "Descendant", ["ajax", "descendant", "non-attribute", "tank"],
         "Ajax shields the squad with hard-light barriers and soaks up punishment on the front line. "
         "Unlocks him instantly, no research materials needed.", 1200, 1, "2025-07-02", "Rare", "ajax"),
        (1015, "Viessa", "비에사", "Descendant", ["viessa", "descendant", "chill"],
         "Viessa summons blizzards that slow and shatter whole groups of enemies. "
         "Unlocks her instantly, no research materials needed.", 1200, 1, "2025-07-02", "Rare", "viessa"),
        (1016, "Lepic", "레픽", "Descendant", ["lepic", "descendant", "fire"],
         "Lepic lobs grenades and overclocks his weapons for explosive close-range damage. "
         "Unlocks him instantly, no research materials needed.", 1200, 1, "2025-07-02", "Rare", "lepic"),
        (1017, "Bunny's Neon Runner", "버니의 네온 러너", "Premium skin", ["bunny", "skin", "premium", "neon"],
         "Premium skin for Bunny: a street-runner jacket with glowing neon piping that pulses as she sprints.",
         2400, 1, "2025-09-04", "Legendary", "bunny"),
        (1018, "Viessa's Frost Valkyrie", "비에사의 서리 발키리", "Premium skin",
         ["viessa", "skin", "premium", "ice"],
         "Premium skin for Viessa: winged ice armour with a frosted helm.", 2400, 1, "2025-12-04",
         "Legendary", "viessa"),
        (1019, "Platinum Blonde Bob Cut", "플래티넘 블론드 보브 컷", "Head skin", ["hailey", "head-skin", "hair"],
         "A sharp platinum blonde bob cut for Hailey.", 500, 1, "2025-11-20", "Rare", "hailey"),
        (1020, "Thunder Cycle", "썬더 사이클", "Weapon", ["weapon", "hand-cannon", "electric", "ultimate-weapon"],
         "An ultimate hand cannon that chains lightning to nearby enemies on every third hit.",
         1400, 1, "2025-07-02", "Ultimate", None),
        (1021, "Obsidian Reaper", "옵시디언 리퍼", "Weapon", ["weapon", "sniper-rifle", "ultimate-weapon"],
         "An ultimate sniper rifle that charges a single devastating shot when you hold the trigger.",
         1500, 1, "2025-10-10", "Ultimate", None),
        (1022, "Neon Pulse Assault Rifle Skin", "네온 펄스 돌격소총 스킨", "Weapon skin",
         ["weapon-skin", "assault-rifle", "neon"],
         "A neon pulse finish for assault rifles, with light strips that flicker with every shot.",
         700, 1, "2025-09-04", "Rare", None),
        (1023, "Victory Dance", "승리의 춤", "Emote", ["emote", "dance"],
         "A short victory dance for the end of a mission.", 200, 1, "2025-07-02", "Common", None),
        (1024, "Angel Wings", "천사 날개", "Back attachment", ["back-attachment", "wings"],
         "A pair of white feathered wings that flutter when you sprint.", 800, 1, "2025-07-02", "Legendary", None),
        (1025, "Gley's Dr. Elias", "글레이의 엘리아스 박사", "Premium skin",
         ["gley", "skin", "premium", "doctor", "limited"],
         "Premium skin for Gley: a lab coat, round glasses and a blood-red scarf, styled after the "
         "mysterious Dr. Elias.", 2600, 1, "2026-10-22", "Ultimate", "gley"),
        (1026, "Hailey's Silent Kill", "헤일리의 사일런트 킬", "Premium skin",
         ["hailey", "skin", "premium", "stealth", "limited"],
         "Premium skin for Hailey: a matte black sniper suit with a hooded cloak and a glowing scope "
         "visor, made for silent kills.", 2600, 1, "2026-10-22", "Ultimate", "hailey"),
    ]
    for iid, name, ko, category, tags, desc, price, limit, rel, rarity, dk in fixed:
        cat.add(game_row(iid, name, ko, category, tags, desc, price, limit, rel, rarity),
                kind=category, descendant=dk, pop=1.0)

    next_id = [1027]

    def nid() -> int:
        v = next_id[0]
        next_id[0] += 1
        assert v < 1900
        return v

    used_weapons = {"Thunder Cycle", "Obsidian Reaper"}
    used_headgear = {"Arche Halo"}
    # premium skins, head skins and makeup for every descendant except Serena (hers are fixed)
    hair_flourish = [
        "tied with a thin leather band", "with a few loose strands framing the face",
        "with a subtle gradient at the tips", "that sways when the Descendant sprints",
        "with a glossy, freshly-styled finish", "with a neat side part",
    ]
    theme_pool = list(SKIN_THEMES)
    for key, en, ko, gender, (el_en, el_ko), what, rel, pop in DESCENDANTS:
        if key == "serena":
            continue
        if not cat.has_name("game", en):
            rar = "Ultimate" if pop >= 1.3 and rng.random() < 0.3 else pick(["Legendary", "Rare", "Rare"])
            price = {"Ultimate": 2000, "Legendary": 1500, "Rare": 1200}[rar]
            pron = "her" if gender == "f" else "him"
            cat.add(game_row(nid(), en, ko, "Descendant", [key, "descendant", el_en],
                             f"{en} {what}. Unlocks {pron} instantly, no research materials needed.",
                             price, 1, rel, rar), kind="Descendant", descendant=key, pop=1.0)
        n_skins = 3 + (1 if pop >= 1.0 else 0) + (1 if rng.random() < 0.35 else 0)
        themes = sample(theme_pool, n_skins + 2)
        made = 0
        for t_en, t_ko, t_desc in themes:
            name = f"{en}'s {t_en}"
            if cat.has_name("game", name) or made >= n_skins:
                continue
            skin_rel = random_date(max(rel, "2025-08-01"), "2026-11-05")
            price = pick([2200, 2400, 2400, 2600, 2800])
            extra = pick([
                f" Comes with a matching {pick(['glove', 'boot', 'shoulder', 'visor'])} trim.",
                " Includes a unique idle animation in the lobby.",
                "",
                " The set also recolours the Descendant's grappling hook.",
            ])
            cat.add(game_row(nid(), name, f"{ko}의 {t_ko}", "Premium skin",
                             [key, "skin", "premium"] + t_en.lower().split()[:1],
                             f"Premium skin for {en}: {t_desc}.{extra}", price, 1, skin_rel),
                    kind="Premium skin", descendant=key, pop=rng.uniform(0.6, 1.2))
            made += 1
        # head skins
        styles = HAIR_STYLES_F if gender == "f" else HAIR_STYLES_M
        n_hair = rng.randint(2, 4)
        made = 0
        tries = 0
        while made < n_hair and tries < 50:
            tries += 1
            if rng.random() < 0.22:
                hg = pick(HEADGEAR)
                if hg[0] in used_headgear:
                    continue
                used_headgear.add(hg[0])
                name, name_ko = hg[0], hg[1]
                desc = f"{cap(hg[2])} for {en}."
                tags = [key, "head-skin", "headgear"]
            else:
                c_en, c_ko = pick(HAIR_COLOURS)
                s_en, s_ko = pick(styles)
                name, name_ko = f"{c_en} {s_en}", f"{c_ko} {s_ko}"
                if cat.has_name("game", name):
                    continue
                desc = f"{cap(c_en.lower())} {s_en.lower()} for {en}, {pick(hair_flourish)}."
                tags = [key, "head-skin", "hair"]
            cat.add(game_row(nid(), name, name_ko, "Head skin", tags, desc, pick([400, 500, 600, 700]), 1,
                             random_date(max(rel, "2025-08-01"), "2026-11-05")),
                    kind="Head skin", descendant=key, pop=rng.uniform(0.4, 0.9))
            made += 1
        # makeup
        finishes = MAKEUP_B_F if gender == "f" else MAKEUP_B_M
        n_mk = rng.randint(2, 3)
        made = 0
        tries = 0
        while made < n_mk and tries < 50:
            tries += 1
            a_en, a_ko = pick(MAKEUP_A)
            b_en, b_ko, b_desc = pick(finishes)
            name = f"{a_en} {b_en}"
            if cat.has_name("game", name):
                continue
            desc = f"{cap(b_desc)} in {a_en.lower()} tones for {en}."
            cat.add(game_row(nid(), name, f"{a_ko} {b_ko}", "Makeup", [key, "makeup", a_en],
                             desc, pick([200, 300, 300, 400]), 1,
                             random_date(max(rel, "2025-08-01"), "2026-11-05")),
                    kind="Makeup", descendant=key, pop=rng.uniform(0.3, 0.8))
            made += 1

    # weapons
    n_weapons = 0
    tries = 0
    while n_weapons < 46 and tries < 2000:
        tries += 1
        p_en, p_ko = pick(WEAPON_PREFIX)
        w_en, w_ko = pick(WEAPON_NOUN)
        name = f"{p_en} {w_en}"
        if name in used_weapons or cat.has_name("game", name):
            continue
        used_weapons.add(name)
        t_en, t_ko = pick(WEAPON_TYPES)
        rar = pick(["Ultimate", "Legendary", "Rare", "Rare"])
        art = "An" if rar[0] in "AEIOU" else "A"
        desc = f"{art} {rar.lower()} {t_en} that {pick(WEAPON_EFFECTS)}."
        if rng.random() < 0.3:
            desc += f" Drops its research blueprint in {pick(['the Hagios', 'the Sterile Land', 'the White-night Gulch', 'the Echo Swamp', 'the Fortress'])} region."
        price = {"Ultimate": 1500, "Legendary": 1200, "Rare": 900}[rar]
        cat.add(game_row(nid(), name, f"{p_ko} {w_ko}", "Weapon",
                         ["weapon", t_en, "ultimate-weapon" if rar == "Ultimate" else rar],
                         desc, price, 1, random_date("2025-07-02", "2026-11-05"), rar),
                kind="Weapon", descendant=None, pop=rng.uniform(0.3, 1.0), weapon_type=t_en)
        n_weapons += 1
    # weapon skins
    combos = [(a, b) for a in WEAPON_SKIN_THEMES for b in WEAPON_TYPES]
    for (th_en, th_ko), (t_en, t_ko) in sample(combos, 42):
        name = f"{th_en} {t_en.title()} Skin"
        if cat.has_name("game", name):
            continue
        desc = f"{'An' if th_en[0] in 'AEIOU' else 'A'} {th_en.lower()} finish for {t_en}s" + pick([
            ", with a matching magazine and scope.", ".", ", animated when you aim down sights.",
            " that changes colour after every kill streak."])
        cat.add(game_row(nid(), name, f"{th_ko} {t_ko} 스킨", "Weapon skin",
                         ["weapon-skin", t_en, th_en.split()[0]], desc, pick([600, 700, 800, 1000]), 1,
                         random_date("2025-07-15", "2026-11-05")),
                kind="Weapon skin", descendant=None, pop=rng.uniform(0.2, 0.7), weapon_type=t_en)
    for e_en, e_ko, e_desc in EMOTES:
        if cat.has_name("game", e_en):
            continue
        cat.add(game_row(nid(), e_en, e_ko, "Emote", ["emote", e_en.split()[0]], e_desc,
                         pick([150, 200, 200, 300]), 1, random_date("2025-07-02", "2026-11-01")),
                kind="Emote", descendant=None, pop=rng.uniform(0.2, 0.8))
    for b_en, b_ko, b_desc in BACK_ATTACHMENTS:
        if cat.has_name("game", b_en):
            continue
        cat.add(game_row(nid(), b_en, b_ko, "Back attachment", ["back-attachment", b_en.split()[-1]],
                         f"{cap(b_desc)}.", pick([500, 600, 800, 1000]), 1,
                         random_date("2025-07-02", "2026-11-01")),
                kind="Back attachment", descendant=None, pop=rng.uniform(0.2, 0.7))
    for s_en, s_ko, s_desc in SPAWN_EFFECTS:
        cat.add(game_row(nid(), s_en, s_ko, "Spawn effect", ["spawn-effect", s_en.split()[0]],
                         f"A spawn effect: {s_desc} at the start of every mission.",
                         pick([400, 500, 600, 800]), 1, random_date("2025-07-02", "2026-11-01")),
                kind="Spawn effect", descendant=None, pop=rng.uniform(0.15, 0.6))
    for h_en, h_ko, h_desc, limit in HELPERS:
        cat.add(game_row(nid(), h_en, h_ko, "Helper", ["helper", "booster" if "Booster" in h_en else "bundle"],
                         h_desc, pick([300, 500, 700, 900, 1200]), limit,
                         random_date("2025-07-02", "2026-10-20")),
                kind="Helper", descendant=None, pop=rng.uniform(0.4, 1.0))
    for c_en, c_ko, c_desc, price, limit in CURRENCY_PACKS:
        cat.add(game_row(nid(), c_en, c_ko, "Currency pack", ["currency", c_en.split()[0]],
                         c_desc, price, limit, random_date("2025-07-02", "2026-06-01"), "Common"),
                kind="Currency pack", descendant=None, pop=rng.uniform(0.3, 0.9))
    # a few holiday items already listed but released after the demo "now"
    upcoming = [("bunny", 0), ("viessa", 1), ("gley", 0), ("luna", 1), ("hailey", 0)]
    for key, ti in upcoming:
        d = DESC_BY_KEY[key]
        t_en, t_ko, t_desc = UPCOMING_THEMES[ti]
        rel = "2026-12-03" if ti == 0 else "2026-12-28"
        cat.add(game_row(nid(), f"{d[1]}'s {t_en}", f"{d[2]}의 {t_ko}", "Premium skin",
                         [key, "skin", "premium", "holiday", "upcoming"],
                         f"Premium skin for {d[1]}: {t_desc}. Listed early; goes on sale on {rel}.",
                         2600, 1, rel, "Legendary"),
                kind="Premium skin", descendant=key, pop=0.0)
    cat.add(game_row(nid(), "Snowball Fight", "눈싸움", "Emote", ["emote", "holiday", "upcoming"],
                     "Throws a snowball at the nearest squadmate. Goes on sale on 2026-12-03.",
                     200, 1, "2026-12-03", "Common"), kind="Emote", descendant=None, pop=0.0)

    # ---- brand-new game items for cold start (new_items.csv)
    new_game = [
        (1901, "Serena's Winter Bloom", "세레나의 윈터 블룸", "Premium skin", ["serena", "skin", "premium", "new", "winter"],
         "New premium skin for Serena: a white winter coat with embroidered frost flowers and silver flight "
         "thrusters.", 2800, 1, "2026-11-15", "Ultimate", "serena"),
        (1902, "Silver Frost Braid", "실버 프로스트 브레이드", "Head skin", ["serena", "head-skin", "hair", "new", "winter"],
         "A long silver braid dusted with frost for Serena, new this week.", 600, 1, "2026-11-15", "Rare", "serena"),
        (1903, "Winter Camellia", "겨울 동백", "Makeup", ["serena", "makeup", "red", "new", "winter"],
         "Deep camellia-red lip tint and soft winter blush for Serena, new this week.", 300, 1, "2026-11-15",
         "Rare", "serena"),
        (1904, "Glacier Expedition Bundle", "빙하 탐사 번들", "Helper", ["helper", "bundle", "new-region", "new"],
         "Helper bundle for the upcoming glacier expedition: cold-resistance modules, thruster fuel and an "
         "extra dig slot.", 900, 5, "2026-11-14", "Rare", None),
        (1905, "Frost Wing Thrusters", "서리 날개 추진기", "Back attachment", ["back-attachment", "wings", "new", "winter"],
         "Ice-blue thruster wings that leave a trail of snowflakes when you fly.", 900, 1, "2026-11-14",
         "Legendary", None),
    ]
    for iid, name, ko, category, tags, desc, price, limit, rel, rarity, dk in new_game:
        new_items.add(game_row(iid, name, ko, category, tags, desc, price, limit, rel, rarity),
                      kind=category, descendant=dk, pop=0.0)


# --------------------------------------------------------------------------------------
# GROCERY: fresh groceries (~80 % with a 1-7 day shelf life) plus pantry and beverages
# --------------------------------------------------------------------------------------

# Each product: key, English noun, Korean noun, category, shelf life in days (None = not
# fresh), qualifiers, pack sizes, organic variants allowed, tags, blurbs, how many SKUs.
# A qualifier is (English, Korean, origin phrase); a Korean qualifier containing "{}"
# wraps the noun ("생{}" + "연어 필렛" -> "생연어 필렛"). A pack is (English, Korean, price).
Q = tuple
GROCERY_PRODUCTS = [
    # ---------------- Fruit
    ("strawberries", "Strawberries", "딸기", "Fruit", 3,
     [Q(("Nonsan Seolhyang", "논산 설향", "grown in greenhouses in South Chungcheong")),
      Q(("Damyang Kingsberry", "담양 킹스베리", "a large, fragrant variety from South Jeolla")),
      Q(("Jinju Maehyang", "진주 매향", "a firm, sweet variety from Jinju")),
      Q(("Sancheong", "산청", "grown in the foothills of Jirisan"))],
     [("500g", "500g", 7900), ("750g", "750g", 11900), ("1kg", "1kg", 15900)], True,
     ["berries", "strawberry", "winter", "dessert"],
     ["sweet and juicy with a deep red colour", "hand-picked at full ripeness", "lovely with cream or yoghurt"], 11),
    ("apples", "Apples", "사과", "Fruit", 7,
     [Q(("Cheongsong Fuji", "청송 부사", "from the mountain orchards of Cheongsong")),
      Q(("Chungju Fuji", "충주 부사", "from orchards around Chungju")),
      Q(("Yesan Hongro", "예산 홍로", "a crisp, bright-red variety from Yesan")),
      Q(("Yeongju", "영주", "grown in the highlands of Yeongju"))],
     [("1.5kg", "1.5kg", 12900), ("3kg", "3kg", 23900), ("5kg", "5kg", 36900)], True,
     ["apple", "snack"], ["crisp, sweet and juicy", "with a honeyed core", "great for lunchboxes"], 11),
    ("pears", "Pears", "배", "Fruit", 7,
     [Q(("Naju Singo", "나주 신고", "from Naju, Korea's pear capital")),
      Q(("Anseong", "안성", "from Anseong orchards")), Q(("Sangju", "상주", "from Sangju"))],
     [("3kg", "3kg", 19900), ("5kg", "5kg", 29900), ("7.5kg gift box", "7.5kg 선물세트", 49900)], False,
     ["pear", "gift"], ["large, juicy and refreshingly crisp", "sweet with a fine, crunchy flesh"], 7),
    ("tangerines", "Tangerines", "감귤", "Fruit", 7,
     [Q(("Jeju", "제주", "grown on Jeju Island")), Q(("Jeju Open-field", "제주 노지", "grown in open fields on Jeju")),
      Q(("Seogwipo", "서귀포", "from the warm southern coast of Jeju"))],
     [("1kg", "1kg", 6900), ("2kg", "2kg", 12900), ("3kg", "3kg", 17900), ("5kg", "5kg", 26900)], True,
     ["citrus", "tangerine", "winter", "snack"], ["thin-skinned and easy to peel", "sweet with a gentle tang"], 12),
    ("bananas", "Bananas", "바나나", "Fruit", 4,
     [Q(("Philippine", "필리핀", "imported from the Philippines")), Q(("Ecuadorian", "에콰도르", "imported from Ecuador")),
      Q(("Highland", "고산지", "grown at high altitude for a denser texture"))],
     [("1 bunch", "1송이", 3900), ("2 bunches", "2송이", 6900)], True,
     ["banana", "breakfast", "snack"], ["ripened to a sweet, creamy texture", "good for smoothies and breakfast"], 8),
    ("shine_muscat", "Shine Muscat Grapes", "샤인머스캣", "Fruit", 5,
     [Q(("Gimcheon", "김천", "from vineyards in Gimcheon")), Q(("Sangju", "상주", "from vineyards in Sangju")),
      Q(("Yeongdong", "영동", "from the grape valleys of Yeongdong"))],
     [("1 bunch (600g)", "1송이(600g)", 12900), ("2kg", "2kg", 34900)], False,
     ["grape", "shine-muscat", "gift"], ["seedless, crunchy and fragrant", "thin-skinned with a honey-like sweetness"], 6),
    ("lemons", "Lemons", "레몬", "Fruit", 7,
     [Q(("Californian", "미국산", "imported from California")), Q(("Chilean", "칠레산", "imported from Chile")),
      Q(("Jeju", "제주", "grown on Jeju Island"))],
     [("5 pcs", "5입", 4900), ("10 pcs", "10입", 8900), ("1kg", "1kg", 7900)], True,
     ["citrus", "lemon", "seafood"], ["bright and juicy, with a fragrant zest", "perfect with fish or in drinks"], 8),
    ("avocados", "Avocados", "아보카도", "Fruit", 4,
     [Q(("Mexican Hass", "멕시코산 하스", "imported from Michoacán, Mexico")), Q(("Peruvian", "페루산", "imported from Peru"))],
     [("2 pcs", "2입", 4900), ("4 pcs", "4입", 8900)], True,
     ["avocado", "salad", "brunch"], ["ripe and ready to eat within a day or two", "creamy and buttery"], 6),
    ("blueberries", "Blueberries", "블루베리", "Fruit", 5,
     [Q(("Chilean", "칠레산", "imported from Chile")), Q(("Peruvian", "페루산", "imported from Peru")),
      Q(("Korean", "국산", "grown in Korea"))],
     [("125g", "125g", 5900), ("310g", "310g", 12900)], True,
     ["berries", "blueberry", "breakfast"], ["plump and sweet", "ideal on yoghurt or granola"], 8),
    ("kiwis", "Gold Kiwis", "골드키위", "Fruit", 7,
     [Q(("Jeju", "제주", "grown on Jeju Island")), Q(("New Zealand", "뉴질랜드", "imported from New Zealand"))],
     [("1kg", "1kg", 11900), ("8 pcs", "8입", 9900)], False,
     ["kiwi", "snack"], ["golden flesh with a tropical sweetness", "rich in vitamin C"], 4),
    ("persimmons", "Sweet Persimmons", "단감", "Fruit", 7,
     [Q(("Jinyeong", "진영", "from Jinyeong, where sweet persimmons were first grown in Korea")),
      Q(("Changwon", "창원", "from orchards around Changwon"))],
     [("2kg", "2kg", 15900), ("4kg", "4kg", 27900)], False,
     ["persimmon", "autumn"], ["crunchy and honey-sweet", "at their autumn peak"], 4),
    # ---------------- Vegetables
    ("lettuce", "Red Leaf Lettuce", "적상추", "Vegetables", 3,
     [Q(("Hydroponic", "수경재배", "grown hydroponically indoors")), Q(("Nonsan", "논산", "from farms near Nonsan")),
      Q(("Icheon", "이천", "from farms near Icheon"))],
     [("150g", "150g", 1900), ("300g", "300g", 3200), ("500g", "500g", 4900)], True,
     ["lettuce", "ssam", "bbq", "leafy"], ["tender leaves for wrapping grilled meat", "washed and ready to use"], 6),
    ("perilla", "Perilla Leaves", "깻잎", "Vegetables", 3,
     [Q(("Miryang", "밀양", "from Miryang")), Q(("Geumsan", "금산", "from Geumsan"))],
     [("50g", "50g", 1500), ("100g", "100g", 2500), ("200g", "200g", 4500)], True,
     ["perilla", "ssam", "bbq", "leafy"], ["aromatic leaves for ssam wraps", "fragrant and freshly cut"], 7),
    ("garlic", "Peeled Garlic", "깐마늘", "Vegetables", 7,
     [Q(("Uiseong", "의성", "from Uiseong, famous for pungent garlic")), Q(("Namhae", "남해", "from the island of Namhae")),
      Q(("Danyang", "단양", "from Danyang"))],
     [("200g", "200g", 3900), ("500g", "500g", 8900), ("1kg", "1kg", 15900)], False,
     ["garlic", "bbq", "aromatics"], ["peeled and ready to slice", "firm cloves with a strong aroma"], 8),
    ("green_onion", "Green Onions", "대파", "Vegetables", 5,
     [Q(("Jindo", "진도", "from Jindo Island")), Q(("Sinan", "신안", "from Sinan"))],
     [("1 bunch", "1단", 2900), ("500g", "500g", 2500)], True,
     ["green-onion", "aromatics", "stew"], ["thick white stalks full of flavour", "essential for soups and stir-fries"], 6),
    ("onions", "Onions", "양파", "Vegetables", 7,
     [Q(("Muan", "무안", "from Muan")), Q(("Changnyeong", "창녕", "from Changnyeong"))],
     [("1.5kg", "1.5kg", 3900), ("3kg", "3kg", 6900)], True,
     ["onion", "aromatics"], ["sweet when cooked and crisp when raw", "good for stews and bulgogi"], 6),
    ("potatoes", "Potatoes", "감자", "Vegetables", 7,
     [Q(("Gangwon", "강원", "from Gangwon Province")), Q(("Pyeongchang", "평창", "from the highlands of Pyeongchang"))],
     [("1kg", "1kg", 4500), ("2kg", "2kg", 7900)], True,
     ["potato", "stew"], ["fluffy when boiled, great for stews", "freshly dug and unwashed"], 7),
    ("sweet_potatoes", "Honey Sweet Potatoes", "꿀고구마", "Vegetables", 7,
     [Q(("Haenam", "해남", "grown in the red soil of Haenam")), Q(("Yeoju", "여주", "from Yeoju"))],
     [("1kg", "1kg", 5900), ("3kg", "3kg", 14900)], True,
     ["sweet-potato", "snack", "autumn"], ["moist and very sweet when roasted", "ideal for the air fryer"], 6),
    ("zucchini", "Korean Zucchini", "애호박", "Vegetables", 5,
     [Q(("Gangwon", "강원", "from Gangwon Province")), Q(("Jinju", "진주", "from Jinju"))],
     [("1 pc", "1개", 1500), ("2 pcs", "2개", 2800)], True,
     ["zucchini", "stew"], ["tender and mild", "for doenjang stew and jeon"], 6),
    ("napa_cabbage", "Napa Cabbage", "배추", "Vegetables", 7,
     [Q(("Haenam", "해남", "from Haenam")), Q(("Goesan", "괴산", "from Goesan"))],
     [("1 head", "1통", 3900), ("3 heads", "3통", 10900)], False,
     ["cabbage", "kimchi"], ["dense heads with sweet inner leaves", "ready for kimchi making"], 4),
    ("spinach", "Spinach", "시금치", "Vegetables", 3,
     [Q(("Pohang Seomcho", "포항 섬초", "grown in sea breezes near Pohang")), Q(("Namhae", "남해", "from Namhae"))],
     [("300g", "300g", 2900), ("500g", "500g", 4500)], True,
     ["spinach", "namul", "leafy"], ["sweet winter spinach", "for namul and kimbap"], 7),
    ("carrots", "Carrots", "당근", "Vegetables", 7,
     [Q(("Jeju Gujwa", "제주 구좌", "grown in the volcanic soil of Gujwa, Jeju")), Q(("Busan", "부산", "from Busan"))],
     [("500g", "500g", 2500), ("1kg", "1kg", 4500)], True,
     ["carrot", "kimbap"], ["crunchy and naturally sweet", "good raw or roasted"], 7),
    ("cherry_tomatoes", "Cherry Tomatoes", "방울토마토", "Vegetables", 5,
     [Q(("Buyeo", "부여", "from Buyeo")), Q(("Date-shaped", "대추", "a sweet, date-shaped variety")),
      Q(("Damyang", "담양", "from Damyang"))],
     [("500g", "500g", 5900), ("1kg", "1kg", 9900)], True,
     ["tomato", "salad", "pasta"], ["sweet and snackable", "ripened on the vine"], 7),
    ("shiitake", "Shiitake Mushrooms", "표고버섯", "Vegetables", 5,
     [Q(("Jangheung", "장흥", "log-grown in Jangheung")), Q(("Cheongyang", "청양", "from Cheongyang"))],
     [("200g", "200g", 4900), ("500g", "500g", 10900)], True,
     ["mushroom", "bulgogi"], ["meaty caps with a deep aroma", "great in bulgogi and japchae"], 6),
    ("king_oyster", "King Oyster Mushrooms", "새송이버섯", "Vegetables", 7,
     [Q(("Gimhae", "김해", "from Gimhae")), Q(("Buyeo", "부여", "from Buyeo"))],
     [("400g", "400g", 2900), ("1kg", "1kg", 5900)], False,
     ["mushroom", "bbq"], ["firm and chewy, great on the grill", "mild and meaty"], 4),
    ("bean_sprouts", "Soybean Sprouts", "콩나물", "Vegetables", 3,
     [Q(("Domestic", "국산", "grown from Korean soybeans")), Q(("Clean-water", "무농약", "grown with clean water and no pesticides"))],
     [("300g", "300g", 1500), ("500g", "500g", 2200)], True,
     ["sprouts", "namul", "soup"], ["crunchy and fresh", "for soup, namul and bibimbap"], 6),
    ("chili", "Cheongyang Chili Peppers", "청양고추", "Vegetables", 5,
     [Q(("Domestic", "국산", "grown in Korea")), Q(("Hot", "매운", "the hottest of the season"))],
     [("100g", "100g", 1900), ("200g", "200g", 3200)], True,
     ["chili", "spicy", "bbq"], ["fiery and fresh", "adds heat to stews and ssam"], 6),
    ("broccoli", "Broccoli", "브로콜리", "Vegetables", 5,
     [Q(("Jeju", "제주", "grown on Jeju Island")), Q(("Pyeongchang", "평창", "from Pyeongchang"))],
     [("1 head", "1송이", 2500), ("2 heads", "2송이", 4500)], True,
     ["broccoli", "salad"], ["tight green florets", "steam, roast or stir-fry"], 6),
    ("asparagus", "Asparagus", "아스파라거스", "Vegetables", 4,
     [Q(("Yanggu", "양구", "from Yanggu in Gangwon")), Q(("Peruvian", "페루산", "imported from Peru"))],
     [("200g", "200g", 5900), ("400g", "400g", 10900)], False,
     ["asparagus", "seafood", "steak"], ["tender green spears", "great alongside salmon or steak"], 4),
    ("salad_mix", "Baby Leaf Salad Mix", "어린잎 샐러드 믹스", "Vegetables", 3,
     [Q(("Hydroponic", "수경재배", "grown hydroponically")), Q(("Farm-fresh", "산지직송", "shipped straight from the farm"))],
     [("100g", "100g", 2900), ("200g", "200g", 4900)], True,
     ["salad", "leafy"], ["washed and ready to eat", "a mix of tender young leaves"], 7),
    ("cucumbers", "Cucumbers", "오이", "Vegetables", 5,
     [Q(("Cheonan", "천안", "from Cheonan")), Q(("Sangju", "상주", "from Sangju"))],
     [("3 pcs", "3입", 2900), ("5 pcs", "5입", 4500)], True,
     ["cucumber", "salad"], ["crisp and cool", "for salads and quick pickles"], 6),
    ("paprika", "Paprika", "파프리카", "Vegetables", 7,
     [Q(("Red", "빨강", "grown in greenhouses in Korea")), Q(("Yellow", "노랑", "grown in greenhouses in Korea")),
      Q(("Mixed", "혼합", "a red, yellow and orange mix"))],
     [("2 pcs", "2입", 3900), ("4 pcs", "4입", 6900)], False,
     ["paprika", "salad"], ["thick-walled and sweet", "colourful and crunchy"], 6),
    ("radish", "Korean Radish", "무", "Vegetables", 7,
     [Q(("Jeju Winter", "제주 월동", "grown through the winter on Jeju")), Q(("Gochang", "고창", "from Gochang"))],
     [("1 pc", "1개", 2500), ("2 pcs", "2개", 4500)], False,
     ["radish", "soup", "kimchi"], ["sweet and juicy", "for soups, braises and kkakdugi"], 4),
    ("tofu", "Tofu", "두부", "Vegetables", 7,
     [Q(("Domestic Soybean", "국산콩 {}", "made from Korean soybeans")),
      Q(("Non-GMO", "Non-GMO {}", "made from non-GMO soybeans")),
      Q(("Silken", "연{}", "smooth and delicate")), Q(("Soft", "순{}", "for sundubu stew"))],
     [("300g", "300g", 1900), ("550g", "550g", 3200)], True,
     ["tofu", "stew", "kimchi-stew"], ["made fresh every morning", "for stews and pan-frying"], 7),
    # ---------------- Meat
    ("pork_belly", "Pork Belly", "삼겹살", "Meat", 4,
     [Q(("Jeju Black", "제주 흑돼지", "from black pigs raised on Jeju")),
      Q(("Korean Handon", "국내산 한돈", "raised on Korean farms")),
      Q(("Spanish Iberico", "스페인 이베리코", "from acorn-fed Iberico pigs"))],
     [("500g", "500g", 14900), ("1kg", "1kg", 27900)], False,
     ["pork", "samgyeopsal", "bbq"], ["thick-cut for the grill", "with even layers of fat and lean"], 6),
    ("pork_neck", "Pork Neck", "목살", "Meat", 4,
     [Q(("Jeju Black", "제주 흑돼지", "from black pigs raised on Jeju")),
      Q(("Korean Handon", "국내산 한돈", "raised on Korean farms"))],
     [("500g", "500g", 13900), ("1kg", "1kg", 25900)], False,
     ["pork", "bbq"], ["juicy and well marbled", "cut thick for grilling"], 4),
    ("pork_shoulder", "Pork Shoulder", "앞다리살", "Meat", 4,
     [Q(("Korean Handon", "국내산 한돈", "raised on Korean farms")), Q(("Free-range", "동물복지", "from welfare-certified farms"))],
     [("500g", "500g", 7900), ("1kg", "1kg", 13900)], False,
     ["pork", "stew", "kimchi-stew"], ["lean and flavourful", "cut for kimchi stew and jeyuk"], 4),
    ("hanwoo_sirloin", "Hanwoo Sirloin", "한우 등심", "Meat", 4,
     [Q(("1++ Grade", "1++등급", "top-grade Korean beef")), Q(("1+ Grade", "1+등급", "high-grade Korean beef")),
      Q(("Hoengseong", "횡성", "from the cattle farms of Hoengseong"))],
     [("300g", "300g", 39900), ("500g", "500g", 62900)], False,
     ["beef", "hanwoo", "steak", "bbq"], ["richly marbled", "cut thick for steak or the grill"], 6),
    ("hanwoo_bulgogi", "Hanwoo Bulgogi Cut", "한우 불고기용", "Meat", 4,
     [Q(("1+ Grade", "1+등급", "high-grade Korean beef")), Q(("Hoengseong", "횡성", "from Hoengseong"))],
     [("300g", "300g", 19900), ("600g", "600g", 36900)], False,
     ["beef", "hanwoo", "bulgogi"], ["thinly sliced for bulgogi", "tender and quick to cook"], 4),
    ("beef_chuck", "Beef Chuck Eye Roll", "척아이롤", "Meat", 5,
     [Q(("Australian", "호주산", "grass-fed in Australia")), Q(("US", "미국산", "grain-fed in the US"))],
     [("500g", "500g", 15900), ("1kg", "1kg", 28900)], False,
     ["beef", "steak", "bbq"], ["a good-value steak cut", "juicy with a beefy flavour"], 4),
    ("short_ribs", "Beef Short Ribs", "소갈비", "Meat", 5,
     [Q(("Hanwoo", "한우", "Korean beef")), Q(("US Choice", "미국산 초이스", "grain-fed in the US"))],
     [("500g", "500g", 29900), ("1kg", "1kg", 54900)], False,
     ["beef", "galbi", "bbq"], ["cut for galbi-jjim or the grill", "well marbled and meaty"], 4),
    ("chicken_breast", "Chicken Breast", "닭가슴살", "Meat", 4,
     [Q(("Free-range", "동물복지", "from welfare-certified farms")), Q(("Domestic", "국내산", "Korean chicken"))],
     [("500g", "500g", 6900), ("1kg", "1kg", 11900)], False,
     ["chicken", "salad", "protein"], ["lean and high in protein", "trimmed and ready to cook"], 4),
    ("whole_chicken", "Whole Chicken", "생닭", "Meat", 3,
     [Q(("Free-range", "동물복지", "from welfare-certified farms")),
      Q(("Samgyetang", "삼계탕용", "a small bird sized for ginseng chicken soup"))],
     [("1 bird (900g)", "1마리(900g)", 7900), ("2 birds (1.1kg)", "2마리(1.1kg)", 9900)], False,
     ["chicken", "soup", "samgyetang"], ["cleaned and ready to cook", "for soups and roasts"], 4),
    ("chicken_thighs", "Boneless Chicken Thighs", "닭다리살", "Meat", 4,
     [Q(("Domestic", "국내산", "Korean chicken")), Q(("Free-range", "동물복지", "from welfare-certified farms"))],
     [("500g", "500g", 7900), ("1kg", "1kg", 13900)], False,
     ["chicken", "bbq"], ["juicy and boneless", "great for dakgalbi"], 4),
    ("bacon", "Smoked Bacon", "훈제 베이컨", "Meat", 7,
     [Q(("Thick-cut", "두툼한", "smoked over beech wood")), Q(("Streaky", "통삼겹", "from Korean pork belly"))],
     [("200g", "200g", 5900), ("500g", "500g", 12900)], False,
     ["pork", "breakfast", "brunch"], ["crisp and smoky when fried", "for breakfasts and pasta"], 4),
    # ---------------- Seafood
    ("salmon", "Salmon Fillet", "연어 필렛", "Seafood", 2,
     [Q(("Norwegian Fresh", "노르웨이 생{}", "flown in fresh from Norway")),
      Q(("Sashimi-grade Norwegian", "횟감용 노르웨이 {}", "flown in chilled from Norway")),
      Q(("Faroe Islands", "페로제도 {}", "from the cold waters of the Faroe Islands"))],
     [("300g", "300g", 16900), ("500g", "500g", 26900)], False,
     ["salmon", "fish", "seafood"], ["rich and buttery", "skin-on and pin-boned"], 6),
    ("mackerel", "Mackerel", "고등어", "Seafood", 2,
     [Q(("Jeju", "제주", "caught off Jeju")), Q(("Norwegian", "노르웨이", "from Norway")),
      Q(("Andong Salted", "안동 간{}", "lightly salted in the Andong style"))],
     [("2 pcs", "2마리", 7900), ("4 pcs", "4마리", 14900)], False,
     ["mackerel", "fish", "seafood"], ["oily and full of flavour", "cleaned and ready to grill"], 6),
    ("shrimp", "Whiteleg Shrimp", "흰다리새우", "Seafood", 2,
     [Q(("Taean", "태안", "farmed in Taean")), Q(("Sinan", "신안", "farmed in Sinan")),
      Q(("Vietnamese", "베트남산", "imported from Vietnam"))],
     [("500g", "500g", 14900), ("1kg", "1kg", 27900)], False,
     ["shrimp", "seafood"], ["sweet and plump", "great grilled with salt"], 6),
    ("abalone", "Abalone", "전복", "Seafood", 2,
     [Q(("Wando Live", "완도 활{}", "live from the farms of Wando")), Q(("Wando", "완도", "from the farms of Wando"))],
     [("5 pcs", "5미", 19900), ("10 pcs", "10미", 34900)], False,
     ["abalone", "seafood", "gift"], ["tender and sweet", "for porridge, butter-grilling or sashimi"], 4),
    ("oysters", "Oysters", "굴", "Seafood", 2,
     [Q(("Tongyeong", "통영", "from the bays of Tongyeong")), Q(("Geoje", "거제", "from Geoje"))],
     [("300g", "300g", 8900), ("500g", "500g", 13900), ("1kg", "1kg", 24900)], False,
     ["oyster", "seafood", "winter"], ["shucked the same day", "plump winter oysters"], 6),
    ("squid", "Squid", "오징어", "Seafood", 2,
     [Q(("East Sea", "동해안", "caught in the East Sea")), Q(("Jumunjin", "주문진", "landed at Jumunjin port"))],
     [("2 pcs", "2마리", 9900), ("3 pcs", "3마리", 13900)], False,
     ["squid", "seafood"], ["cleaned and ready to cook", "for stir-fries and stews"], 4),
    ("clams", "Manila Clams", "바지락", "Seafood", 2,
     [Q(("Taean", "태안", "from the mudflats of Taean")), Q(("West Sea", "서해안", "from the west coast"))],
     [("500g", "500g", 5900), ("1kg", "1kg", 9900)], False,
     ["clam", "seafood", "stew"], ["purged of sand and ready to cook", "for stews, pasta and kalguksu"], 4),
    ("cutlassfish", "Silver Cutlassfish", "은갈치", "Seafood", 2,
     [Q(("Jeju", "제주", "line-caught off Jeju")), Q(("Seogwipo", "서귀포", "landed at Seogwipo"))],
     [("2 pcs", "2마리", 29900), ("3 pcs", "3마리", 42900)], False,
     ["cutlassfish", "fish", "seafood", "gift"], ["thick, silvery and tender", "cut into pieces for grilling or braising"], 4),
    # ---------------- Dairy
    ("milk", "Milk", "우유", "Dairy", 7,
     [Q(("Grade A", "1등급", "from Grade A farms")), Q(("Low-fat", "저지방", "with 1% fat")),
      Q(("Lactose-free", "락토프리", "gentle on the stomach")), Q(("Jersey", "저지", "from Jersey cows"))],
     [("900ml", "900ml", 2900), ("1.8L", "1.8L", 4900), ("2.3L", "2.3L", 5900)], True,
     ["milk", "breakfast"], ["fresh and creamy", "pasteurised at low temperature"], 12),
    ("cream", "Whipping Cream", "휘핑크림", "Dairy", 7,
     [Q(("Dairy", "동물성", "made from fresh cream")), Q(("Plant-based", "식물성", "plant-based"))],
     [("250ml", "250ml", 3900), ("500ml", "500ml", 6900), ("1L", "1L", 11900)], False,
     ["cream", "dessert", "baking"], ["whips up light and stable", "for cakes and strawberry desserts"], 5),
    ("greek_yogurt", "Greek Yogurt", "그릭요거트", "Dairy", 7,
     [Q(("Plain", "플레인", "strained until thick")), Q(("Honey", "허니", "with a swirl of honey")),
      Q(("Blueberry", "블루베리", "with blueberry compote"))],
     [("100g", "100g", 2500), ("400g", "400g", 7900), ("800g", "800g", 13900)], True,
     ["yogurt", "breakfast", "dessert"], ["thick and tangy", "high in protein"], 10),
    ("drink_yogurt", "Drinkable Yogurt", "마시는 요거트", "Dairy", 7,
     [Q(("Strawberry", "딸기", "with strawberry purée")), Q(("Plain", "플레인", "lightly sweetened")),
      Q(("Apple", "사과", "with apple purée"))],
     [("150ml x 4", "150ml x 4", 4900), ("750ml", "750ml", 4500)], False,
     ["yogurt", "breakfast"], ["smooth and refreshing", "with live cultures"], 5),
    ("butter", "Butter", "버터", "Dairy", 7,
     [Q(("Unsalted", "무염", "for baking and cooking")), Q(("Salted", "가염", "lightly salted")),
      Q(("French Cultured", "프랑스 발효", "cultured butter from Normandy"))],
     [("200g", "200g", 6900), ("450g", "450g", 12900)], False,
     ["butter", "breakfast", "baking"], ["rich and creamy", "spreads easily on toast"], 6),
    ("eggs", "Eggs", "달걀", "Dairy", 7,
     [Q(("Cage-free", "동물복지", "from cage-free hens")), Q(("Free-range", "자유방목", "from free-range hens")),
      Q(("Omega-3", "오메가3", "from hens fed flaxseed"))],
     [("10 eggs", "10구", 4900), ("15 eggs", "15구", 6900), ("30 eggs", "30구", 11900)], True,
     ["eggs", "breakfast", "kimbap"], ["laid within the last two days", "with bright orange yolks"], 12),
    ("mozzarella", "Fresh Mozzarella", "생 모짜렐라", "Dairy", 7,
     [Q(("Italian", "이탈리아산", "imported from Campania")), Q(("Domestic", "국산", "made in Korea from local milk"))],
     [("125g", "125g", 4900), ("250g", "250g", 8900)], False,
     ["cheese", "salad", "pasta"], ["soft and milky", "for caprese and pizza"], 4),
    ("burrata", "Burrata", "부라타 치즈", "Dairy", 5,
     [Q(("Italian", "이탈리아산", "imported from Puglia")), Q(("Handmade", "수제", "made in small batches in Korea"))],
     [("100g", "100g", 7900), ("200g", "200g", 13900)], False,
     ["cheese", "salad"], ["with a creamy stracciatella centre", "best with tomatoes and olive oil"], 4),
    # ---------------- Bakery
    ("sourdough", "Sourdough Bread", "사워도우", "Bakery", 3,
     [Q(("Country", "컨트리", "slow-fermented for 24 hours")), Q(("Whole-wheat", "통밀", "made with stone-ground whole wheat")),
      Q(("Olive", "올리브", "studded with green olives")), Q(("Walnut", "호두", "packed with toasted walnuts"))],
     [("1 loaf", "1개", 7900), ("half loaf", "하프", 4500)], False,
     ["bread", "breakfast", "brunch"], ["with a crackly crust and open crumb", "baked this morning"], 7),
    ("milk_bread", "Milk Bread", "우유식빵", "Bakery", 3,
     [Q(("Butter", "버터", "enriched with butter")), Q(("Thick-sliced", "두툼한", "cut into thick slices for toast"))],
     [("1 loaf", "1개", 4900), ("2 loaves", "2개", 8900)], False,
     ["bread", "breakfast", "toast"], ["soft and fluffy", "perfect for toast and sandwiches"], 4),
    ("croissants", "Croissants", "크루아상", "Bakery", 2,
     [Q(("Butter", "버터", "laminated with French butter")), Q(("Almond", "아몬드", "filled with almond cream")),
      Q(("Chocolate", "초코", "with dark chocolate batons"))],
     [("2 pcs", "2개", 5900), ("4 pcs", "4개", 10900)], False,
     ["bread", "pastry", "brunch"], ["flaky and golden", "baked before dawn"], 6),
    ("bagels", "Bagels", "베이글", "Bakery", 3,
     [Q(("Plain", "플레인", "boiled then baked")), Q(("Sesame", "참깨", "covered in toasted sesame")),
      Q(("Blueberry", "블루베리", "with dried blueberries")), Q(("Everything", "에브리띵", "with an everything-seed crust"))],
     [("2 pcs", "2개", 4900), ("4 pcs", "4개", 8900)], False,
     ["bread", "breakfast"], ["chewy and dense", "great with cream cheese"], 7),
    ("baguette", "Baguette", "바게트", "Bakery", 2,
     [Q(("Traditional", "트래디션", "made the French way with a long ferment")), Q(("Mini", "미니", "small, for one or two"))],
     [("1 pc", "1개", 3900), ("2 pcs", "2개", 6900)], False,
     ["bread", "pasta-night"], ["with a crisp, crackling crust", "best on the day of delivery"], 4),
    ("salt_bread", "Salt Butter Rolls", "소금빵", "Bakery", 2,
     [Q(("Classic", "클래식", "with a pat of butter inside")), Q(("Garlic", "마늘", "brushed with garlic butter"))],
     [("4 pcs", "4개", 7900), ("6 pcs", "6개", 11400)], False,
     ["bread", "snack"], ["crisp-bottomed with a salty crunch", "a café favourite"], 4),
    ("muffins", "Muffins", "머핀", "Bakery", 3,
     [Q(("Blueberry", "블루베리", "loaded with blueberries")), Q(("Chocolate Chip", "초코칩", "with chocolate chips")),
      Q(("Banana", "바나나", "made with ripe bananas"))],
     [("2 pcs", "2개", 5500), ("4 pcs", "4개", 9900)], False,
     ["bakery", "snack", "dessert"], ["moist and tender", "baked fresh daily"], 5),
    ("castella", "Castella Sponge Cake", "카스텔라", "Bakery", 5,
     [Q(("Honey", "꿀", "made with acacia honey")), Q(("Green Tea", "녹차", "made with Boseong green tea"))],
     [("1 loaf", "1개", 8900)], False,
     ["cake", "dessert"], ["soft, springy and lightly sweet", "a classic with milk or tea"], 2),
    # ---------------- Ready meals (short shelf life)
    ("kimchi", "Cabbage Kimchi", "포기김치", "Ready meals", 7,
     [Q(("Jeolla-style", "전라도", "seasoned generously in the Jeolla style")),
      Q(("Gyeongsang-style", "경상도", "made spicy and salty in the Gyeongsang style")),
      Q(("Haenam", "해남", "made with Haenam cabbage"))],
     [("1kg", "1kg", 9900), ("3kg", "3kg", 26900), ("5kg", "5kg", 39900)], False,
     ["kimchi", "side-dish", "kimchi-stew"], ["made with Korean chilli flakes and salted shrimp", "fermented just enough to be tangy"], 8),
    ("kkakdugi", "Radish Kimchi", "깍두기", "Ready meals", 7,
     [Q(("Classic", "", "cubed and crunchy")), Q(("Seolleongtang-style", "설렁탕", "sweet and tangy, the kind served with beef soup"))],
     [("1kg", "1kg", 8900), ("2kg", "2kg", 15900)], False,
     ["kimchi", "side-dish"], ["crunchy radish cubes", "made with Jeju winter radish"], 3),
    ("budae_kit", "Budae Jjigae Meal Kit", "부대찌개 밀키트", "Ready meals", 3,
     [Q(("Classic", "", "with ham, sausage, beans and ramen noodles")), Q(("Spicy", "매운", "with extra chilli and cheese"))],
     [("for 2", "2인분", 12900), ("for 3-4", "3~4인분", 19900)], False,
     ["meal-kit", "stew", "quick-dinner"], ["ready in 15 minutes", "everything prepped and portioned"], 4),
    ("tteokbokki_kit", "Tteokbokki Meal Kit", "떡볶이 밀키트", "Ready meals", 3,
     [Q(("Classic", "", "rice cakes, fish cakes and sauce")), Q(("Rosé", "로제", "in a creamy rosé sauce")),
      Q(("Spicy", "매운", "in an extra-hot sauce"))],
     [("for 2", "2인분", 8900), ("for 3-4", "3~4인분", 13900)], False,
     ["meal-kit", "tteokbokki", "quick-dinner"], ["ready in 10 minutes", "with chewy rice cakes"], 5),
    ("millefeuille_kit", "Mille-feuille Nabe Meal Kit", "밀푀유나베 밀키트", "Ready meals", 2,
     [Q(("Beef", "소고기", "layered napa cabbage, perilla and beef")), Q(("Pork", "돼지고기", "layered napa cabbage, perilla and pork"))],
     [("for 2", "2인분", 18900), ("for 3-4", "3~4인분", 27900)], False,
     ["meal-kit", "hotpot", "quick-dinner"], ["with a light bonito broth", "a cosy winter hotpot"], 4),
    ("sundubu_kit", "Sundubu Jjigae Meal Kit", "순두부찌개 밀키트", "Ready meals", 2,
     [Q(("Seafood", "해물", "with clams and shrimp")), Q(("Beef", "소고기", "with minced beef"))],
     [("for 2", "2인분", 10900), ("for 3-4", "3~4인분", 16900)], False,
     ["meal-kit", "stew", "tofu"], ["silky soft tofu in a spicy broth", "ready in 12 minutes"], 4),
    ("bulgogi_kit", "Beef Bulgogi Meal Kit", "소불고기 밀키트", "Ready meals", 3,
     [Q(("Classic", "", "marinated in soy, pear and garlic")), Q(("Spicy", "매운", "in a gochujang marinade"))],
     [("for 2", "2인분", 14900), ("for 3-4", "3~4인분", 22900)], False,
     ["meal-kit", "bulgogi", "quick-dinner"], ["pre-marinated and ready for the pan", "comes with glass noodles"], 4),
    ("kimbap", "Kimbap Roll", "김밥", "Ready meals", 1,
     [Q(("Tuna", "참치", "with tuna mayo and perilla")), Q(("Beef", "소고기", "with seasoned beef")),
      Q(("Vegetable", "야채", "with spinach, carrot and egg")), Q(("Cheese", "치즈", "with cheese and ham"))],
     [("1 roll", "1줄", 3900), ("2 rolls", "2줄", 6900)], False,
     ["kimbap", "lunch", "picnic"], ["rolled fresh this morning", "sliced and ready to eat"], 8),
    ("japchae", "Japchae Glass Noodles", "잡채", "Ready meals", 2,
     [Q(("Classic", "", "with vegetables and sesame")), Q(("Beef", "소고기", "with stir-fried beef"))],
     [("300g", "300g", 6900), ("600g", "600g", 11900)], False,
     ["japchae", "side-dish"], ["glossy sweet potato noodles", "reheat briefly in a pan"], 4),
    ("salad_bowl", "Chicken Salad Bowl", "치킨 샐러드 볼", "Ready meals", 1,
     [Q(("Caesar", "시저", "with romaine, croutons and parmesan")), Q(("Cobb", "콥", "with egg, avocado and bacon")),
      Q(("Spicy", "매콤", "with a gochujang dressing"))],
     [("1 bowl", "1개", 6900)], False,
     ["salad", "lunch", "protein"], ["a full meal in one bowl", "dressing on the side"], 3),
    ("side_dishes", "Side Dish Set", "반찬 세트", "Ready meals", 3,
     [Q(("Home-style", "집밥", "four to six classic banchan")), Q(("Namul", "나물", "seasoned vegetable namul"))],
     [("4 kinds", "4종", 12900), ("6 kinds", "6종", 17900)], False,
     ["side-dish", "banchan"], ["made fresh daily", "portioned in small containers"], 4),
    # ---------------- Pantry
    ("ssamjang", "Ssamjang", "쌈장", "Pantry", None,
     [Q(("Traditional", "재래식", "made with fermented soybean and chilli paste")), Q(("Mild", "순한", "milder, for kids"))],
     [("500g", "500g", 3900), ("1kg", "1kg", 6900)], False,
     ["sauce", "ssam", "bbq"], ["a savoury dip for grilled meat and lettuce wraps"], 4),
    ("gochujang", "Gochujang", "고추장", "Pantry", None,
     [Q(("Sunchang", "순창", "made in Sunchang")), Q(("Traditional", "재래식", "fermented in clay pots")),
      Q(("Brown Rice", "현미", "made with brown rice"))],
     [("500g", "500g", 6900), ("1kg", "1kg", 11900)], True,
     ["sauce", "chilli-paste", "korean"], ["sweet, savoury and spicy"], 4),
    ("doenjang", "Doenjang", "된장", "Pantry", None,
     [Q(("Sunchang", "순창", "made in Sunchang")), Q(("Traditional", "재래식", "fermented for a year"))],
     [("500g", "500g", 5900), ("1kg", "1kg", 9900)], True,
     ["sauce", "soybean-paste", "stew"], ["deep and savoury, the base for doenjang stew"], 5),
    ("soy_sauce", "Soy Sauce", "간장", "Pantry", None,
     [Q(("Naturally Brewed", "양조", "naturally brewed for six months")),
      Q(("Soup", "국{}", "lighter and saltier, for soups")), Q(("Dark", "진{}", "for braising and bulgogi"))],
     [("500ml", "500ml", 4900), ("900ml", "900ml", 7900), ("1.8L", "1.8L", 12900)], False,
     ["sauce", "soy-sauce", "bulgogi"], ["a kitchen staple"], 5),
    ("sesame_oil", "Sesame Oil", "참기름", "Pantry", None,
     [Q(("Cold-pressed", "저온압착", "cold-pressed")), Q(("Domestic", "국산", "pressed from Korean sesame"))],
     [("160ml", "160ml", 8900), ("300ml", "300ml", 15900)], False,
     ["oil", "sesame", "bulgogi"], ["nutty and fragrant"], 4),
    ("perilla_oil", "Perilla Oil", "들기름", "Pantry", None,
     [Q(("Cold-pressed", "저온압착", "cold-pressed")), Q(("Domestic", "국산", "pressed from Korean perilla seeds"))],
     [("160ml", "160ml", 9900), ("300ml", "300ml", 16900)], False,
     ["oil", "perilla"], ["rich in omega-3 with a toasty aroma"], 3),
    ("olive_oil", "Extra Virgin Olive Oil", "엑스트라 버진 올리브 오일", "Pantry", None,
     [Q(("Spanish", "스페인산", "from Andalusia")), Q(("Italian", "이탈리아산", "from Puglia")),
      Q(("Greek", "그리스산", "from Crete"))],
     [("500ml", "500ml", 12900), ("1L", "1L", 22900)], True,
     ["oil", "olive-oil", "pasta", "salad"], ["fruity and peppery"], 4),
    ("rice", "Rice", "쌀", "Pantry", None,
     [Q(("Icheon", "이천", "from Icheon, famous for its rice")), Q(("Cheorwon Odae", "철원 오대", "from Cheorwon")),
      Q(("Yeoju", "여주", "from Yeoju")), Q(("Gimpo", "김포", "from Gimpo"))],
     [("4kg", "4kg", 18900), ("10kg", "10kg", 39900)], True,
     ["rice", "staple"], ["this year's harvest, milled to order"], 7),
    ("multigrain", "Multigrain Rice Mix", "혼합잡곡", "Pantry", None,
     [Q(("10-grain", "10곡", "ten grains and beans")), Q(("Black Rice", "흑미", "with black rice and barley"))],
     [("1kg", "1kg", 7900), ("2kg", "2kg", 13900)], False,
     ["rice", "grains", "staple"], ["mix into white rice for extra fibre"], 3),
    ("spaghetti", "Spaghetti", "스파게티면", "Pantry", None,
     [Q(("Italian Durum Wheat", "이탈리아 듀럼밀", "bronze-cut in Italy")), Q(("Whole-wheat", "통밀", "made with whole wheat"))],
     [("500g", "500g", 3500), ("1kg", "1kg", 5900)], True,
     ["pasta", "pasta-night"], ["cooks al dente in nine minutes"], 5),
    ("tomato_sauce", "Tomato Pasta Sauce", "토마토 파스타 소스", "Pantry", None,
     [Q(("Basil", "바질", "with sweet basil")), Q(("Arrabbiata", "아라비아따", "with chilli and garlic")),
      Q(("Classic", "클래식", "slow-cooked Italian tomatoes"))],
     [("400g", "400g", 5900), ("680g", "680g", 7900)], False,
     ["sauce", "pasta", "pasta-night"], ["rich and ready in minutes"], 4),
    ("parmesan", "Grated Parmesan", "파마산 치즈 가루", "Pantry", None,
     [Q(("Italian", "이탈리아산", "aged for 12 months")), Q(("Aged", "24개월 숙성", "aged for 24 months"))],
     [("80g", "80g", 5900), ("227g", "227g", 12900)], False,
     ["cheese", "pasta", "pasta-night"], ["sharp and nutty"], 3),
    ("laver", "Roasted Seasoned Laver", "조미김", "Pantry", None,
     [Q(("Gwangcheon", "광천", "roasted in Gwangcheon")), Q(("Wando", "완도", "from Wando laver")),
      Q(("Olive Oil", "올리브유", "roasted with olive oil"))],
     [("16 packs", "16봉", 9900), ("9 packs", "9봉", 5900)], False,
     ["laver", "side-dish", "snack"], ["crisp, salty and lightly roasted"], 4),
    ("kimbap_laver", "Laver Sheets for Kimbap", "김밥김", "Pantry", None,
     [Q(("Wando", "완도", "from Wando")), Q(("Premium", "프리미엄", "thick, glossy sheets"))],
     [("10 sheets", "10매", 3900), ("50 sheets", "50매", 13900)], False,
     ["laver", "kimbap"], ["does not tear when rolling"], 3),
    ("ramen", "Instant Ramen", "라면", "Pantry", None,
     [Q(("Spicy", "매운", "a fiery beef broth")), Q(("Jjamppong", "짬뽕", "a spicy seafood broth")),
      Q(("Black Bean", "짜장", "with black bean sauce"))],
     [("5 packs", "5입", 4500), ("10 packs", "10입", 8500)], False,
     ["ramen", "noodles", "snack"], ["ready in four minutes"], 4),
    ("honey", "Acacia Honey", "아카시아 꿀", "Pantry", None,
     [Q(("Domestic", "국산", "from Korean acacia blossoms")), Q(("Jirisan", "지리산", "from hives on Jirisan"))],
     [("500g", "500g", 15900), ("1kg", "1kg", 28900)], False,
     ["honey", "breakfast"], ["light, floral and pure"], 3),
    ("jam", "Strawberry Jam", "딸기잼", "Pantry", None,
     [Q(("Low-sugar", "저당", "with 30% less sugar")), Q(("Homemade-style", "수제", "cooked in small batches"))],
     [("300g", "300g", 4900), ("600g", "600g", 7900)], False,
     ["jam", "breakfast", "toast"], ["made with Korean strawberries"], 3),
    ("granola", "Granola", "그래놀라", "Pantry", None,
     [Q(("Honey Almond", "허니 아몬드", "with honey-roasted almonds")), Q(("Dark Chocolate", "다크 초콜릿", "with dark chocolate chips")),
      Q(("Low-sugar", "저당", "with 40% less sugar"))],
     [("400g", "400g", 7900), ("800g", "800g", 13900)], False,
     ["granola", "breakfast"], ["crunchy clusters of oats"], 4),
    ("coffee_beans", "Coffee Beans", "원두", "Pantry", None,
     [Q(("Ethiopia Yirgacheffe", "에티오피아 예가체프", "with floral, citrus notes")),
      Q(("Colombia Supremo", "콜롬비아 수프리모", "with caramel and nutty notes")),
      Q(("House Blend", "하우스 블렌드", "a balanced everyday blend"))],
     [("200g", "200g", 12900), ("500g", "500g", 26900)], False,
     ["coffee", "breakfast", "brunch"], ["roasted this week"], 4),
    ("tuna_can", "Canned Tuna", "참치캔", "Pantry", None,
     [Q(("Light", "라이트", "packed in water")), Q(("Hot Pepper", "고추", "with a spicy pepper sauce"))],
     [("150g x 4", "150g x 4", 9900), ("100g x 8", "100g x 8", 16900)], False,
     ["tuna", "canned", "kimbap"], ["a pantry staple for kimbap and stews"], 3),
    ("sea_salt", "Sea Salt", "천일염", "Pantry", None,
     [Q(("Sinan", "신안", "sun-dried on the salt farms of Sinan")), Q(("Aged", "3년 숙성", "aged for three years"))],
     [("1kg", "1kg", 5900), ("3kg", "3kg", 12900)], False,
     ["salt", "seasoning", "bbq"], ["coarse and mineral-rich"], 3),
    ("tteok", "Rice Cakes for Tteokbokki", "떡볶이 떡", "Pantry", None,
     [Q(("Rice", "쌀", "made with 100% Korean rice")), Q(("Wheat", "밀", "chewy wheat rice cakes"))],
     [("500g", "500g", 3900), ("1kg", "1kg", 6500)], False,
     ["tteok", "tteokbokki"], ["vacuum-packed"], 3),
    ("anchovies", "Dried Anchovies for Stock", "국물용 멸치", "Pantry", None,
     [Q(("Tongyeong", "통영", "from Tongyeong")), Q(("Namhae", "남해", "from Namhae"))],
     [("200g", "200g", 8900), ("500g", "500g", 19900)], False,
     ["anchovy", "stock", "soup"], ["for a clean, deep broth"], 3),
    # ---------------- Beverages
    ("sparkling_water", "Sparkling Water", "탄산수", "Beverages", None,
     [Q(("Lemon", "레몬", "with natural lemon flavour")), Q(("Plain", "플레인", "unflavoured")),
      Q(("Grapefruit", "자몽", "with natural grapefruit flavour"))],
     [("500ml x 20", "500ml x 20", 11900), ("350ml x 24", "350ml x 24", 13900)], False,
     ["water", "sparkling", "drink"], ["zero calories, strongly carbonated"], 4),
    ("orange_juice", "Orange Juice", "오렌지 주스", "Beverages", None,
     [Q(("100% Squeezed", "100% 착즙", "squeezed, not from concentrate")), Q(("With Pulp", "과육 함유", "with juicy pulp"))],
     [("1L", "1L", 5900), ("1.5L", "1.5L", 7900)], False,
     ["juice", "breakfast", "brunch"], ["no added sugar"], 4),
    ("barley_tea", "Barley Tea", "보리차", "Beverages", None,
     [Q(("Roasted", "볶은", "made from deeply roasted barley")), Q(("Domestic", "국산", "made from Korean barley"))],
     [("1.5L x 6", "1.5L x 6", 8900), ("30 tea bags", "티백 30개", 4900)], False,
     ["tea", "drink"], ["nutty and caffeine-free"], 4),
    ("green_tea", "Green Tea", "녹차", "Beverages", None,
     [Q(("Boseong", "보성", "from the tea fields of Boseong")), Q(("Jeju", "제주", "from tea gardens on Jeju"))],
     [("25 tea bags", "티백 25개", 5900), ("80g loose leaf", "잎차 80g", 14900)], True,
     ["tea", "drink"], ["fresh and grassy"], 4),
    ("oat_milk", "Oat Milk", "오트밀크", "Beverages", None,
     [Q(("Barista", "바리스타", "foams like dairy milk")), Q(("Unsweetened", "무가당", "with no added sugar"))],
     [("1L", "1L", 3900), ("190ml x 24", "190ml x 24", 19900)], False,
     ["plant-milk", "coffee", "breakfast"], ["creamy and dairy-free"], 4),
    ("cold_brew", "Cold Brew Coffee", "콜드브루", "Beverages", None,
     [Q(("Black", "블랙", "steeped for 18 hours")), Q(("Decaf", "디카페인", "decaffeinated"))],
     [("1L", "1L", 8900), ("500ml x 2", "500ml x 2", 9900)], False,
     ["coffee", "drink"], ["smooth and low in acidity"], 4),
    ("soy_milk", "Soy Milk", "두유", "Beverages", None,
     [Q(("Unsweetened", "무가당", "with no added sugar")), Q(("Black Bean", "검은콩", "made with black beans"))],
     [("190ml x 16", "190ml x 16", 9900), ("950ml", "950ml", 3900)], False,
     ["plant-milk", "breakfast"], ["rich and nutty"], 4),
    ("sikhye", "Sikhye Rice Punch", "식혜", "Beverages", None,
     [Q(("Traditional", "전통", "brewed from malted barley and rice")), Q(("Pumpkin", "호박", "made with sweet pumpkin"))],
     [("1.5L", "1.5L", 4900), ("238ml x 12", "238ml x 12", 7900)], False,
     ["traditional", "drink", "dessert"], ["sweet and refreshing, best served cold"], 3),
    ("kombucha", "Kombucha", "콤부차", "Beverages", None,
     [Q(("Ginger Lemon", "진저 레몬", "with ginger and lemon")), Q(("Berry", "베리", "with mixed berries")),
      Q(("Peach", "복숭아", "with peach"))],
     [("330ml x 6", "330ml x 6", 14900)], False,
     ["kombucha", "drink"], ["lightly sparkling and tangy"], 3),
    ("coconut_water", "Coconut Water", "코코넛 워터", "Beverages", None,
     [Q(("Thai", "태국산", "from Thai coconuts")), Q(("Vietnamese", "베트남산", "from Vietnamese coconuts"))],
     [("1L", "1L", 5900), ("330ml x 12", "330ml x 12", 19900)], False,
     ["coconut", "drink"], ["naturally hydrating"], 3),
]

GROCERY_BRANDS = {
    "Fruit": ["Green Basket", "Morning Farm", "Jeju Orchard", "Sunny Acres"],
    "Vegetables": ["Green Basket", "Morning Farm", "Golden Field", "Sunny Acres"],
    "Meat": ["Hanbit Meats", "Prime Cut", "Golden Field"],
    "Seafood": ["Blue Harbor", "Sea & Salt"],
    "Dairy": ["Daily Dairy", "Green Pasture", "Cloud Creamery"],
    "Bakery": ["Bakehouse 37", "Crumb & Co", "Morning Oven"],
    "Ready meals": ["Home Table", "Hanbit Kitchen", "Cook Kit"],
    "Pantry": ["Seoul Pantry", "Hanbit Foods", "Sunchang Heritage", "Olea Verde"],
    "Beverages": ["Clear Spring", "Seoul Pantry", "Brew Lab"],
}

# Shopping missions: which products are bought together (key, probability).
GROCERY_BASKETS = {
    "strawberry_dessert": [("strawberries", 0.95), ("cream", 0.7), ("greek_yogurt", 0.55), ("milk", 0.3),
                           ("granola", 0.25), ("blueberries", 0.25)],
    "samgyeopsal_night": [("pork_belly", 0.95), ("lettuce", 0.85), ("perilla", 0.6), ("ssamjang", 0.6),
                          ("garlic", 0.6), ("chili", 0.45), ("kimchi", 0.35), ("king_oyster", 0.3), ("pork_neck", 0.25)],
    "salmon_dinner": [("salmon", 0.95), ("lemons", 0.75), ("asparagus", 0.5), ("butter", 0.4),
                      ("potatoes", 0.3), ("salad_mix", 0.3)],
    "breakfast": [("milk_bread", 0.5), ("sourdough", 0.35), ("butter", 0.6), ("milk", 0.7), ("eggs", 0.7),
                  ("jam", 0.35), ("bananas", 0.35), ("bacon", 0.25), ("honey", 0.15)],
    "kimchi_stew": [("kimchi", 0.9), ("tofu", 0.85), ("pork_shoulder", 0.65), ("green_onion", 0.6),
                    ("onions", 0.35), ("chili", 0.3)],
    "bulgogi": [("hanwoo_bulgogi", 0.9), ("onions", 0.6), ("shiitake", 0.55), ("soy_sauce", 0.45),
                ("sesame_oil", 0.4), ("green_onion", 0.45), ("lettuce", 0.25)],
    "doenjang_stew": [("doenjang", 0.7), ("tofu", 0.85), ("zucchini", 0.7), ("potatoes", 0.5),
                      ("onions", 0.45), ("clams", 0.4), ("chili", 0.35)],
    "fruit_box": [("apples", 0.6), ("tangerines", 0.7), ("pears", 0.35), ("shine_muscat", 0.4),
                  ("bananas", 0.45), ("persimmons", 0.35), ("kiwis", 0.3)],
    "pasta_night": [("spaghetti", 0.9), ("tomato_sauce", 0.7), ("cherry_tomatoes", 0.55), ("parmesan", 0.45),
                    ("olive_oil", 0.35), ("garlic", 0.4), ("baguette", 0.3), ("mozzarella", 0.3)],
    "healthy_salad": [("salad_mix", 0.85), ("chicken_breast", 0.7), ("cherry_tomatoes", 0.6), ("avocados", 0.55),
                      ("cucumbers", 0.4), ("burrata", 0.2), ("paprika", 0.3), ("broccoli", 0.3)],
    "hanwoo_grill": [("hanwoo_sirloin", 0.95), ("king_oyster", 0.5), ("garlic", 0.55), ("sea_salt", 0.4),
                     ("lettuce", 0.45), ("asparagus", 0.3), ("short_ribs", 0.2)],
    "seafood_feast": [("shrimp", 0.6), ("oysters", 0.55), ("abalone", 0.45), ("squid", 0.4),
                      ("lemons", 0.35), ("cutlassfish", 0.25), ("mackerel", 0.3)],
    "family_staples": [("milk", 0.8), ("eggs", 0.8), ("bananas", 0.55), ("drink_yogurt", 0.45),
                       ("rice", 0.3), ("tofu", 0.35), ("bean_sprouts", 0.35), ("multigrain", 0.2)],
    "kimbap_picnic": [("kimbap_laver", 0.8), ("rice", 0.4), ("eggs", 0.7), ("spinach", 0.6),
                      ("carrots", 0.6), ("tuna_can", 0.45), ("kimbap", 0.3)],
    "quick_dinner": [("budae_kit", 0.35), ("tteokbokki_kit", 0.35), ("millefeuille_kit", 0.25),
                     ("sundubu_kit", 0.25), ("bulgogi_kit", 0.25), ("side_dishes", 0.35), ("sparkling_water", 0.25)],
    "weekend_brunch": [("croissants", 0.7), ("bagels", 0.35), ("avocados", 0.4), ("eggs", 0.55),
                       ("orange_juice", 0.5), ("coffee_beans", 0.45), ("bacon", 0.35), ("oat_milk", 0.2)],
    "korean_sides": [("kimchi", 0.5), ("bean_sprouts", 0.6), ("spinach", 0.55), ("laver", 0.5),
                     ("kkakdugi", 0.35), ("side_dishes", 0.3), ("japchae", 0.3), ("perilla_oil", 0.2)],
    "lunch_grab": [("kimbap", 0.7), ("salad_bowl", 0.5), ("cold_brew", 0.35), ("barley_tea", 0.25),
                   ("muffins", 0.25), ("sikhye", 0.2)],
    "ramen_night": [("ramen", 0.9), ("eggs", 0.5), ("green_onion", 0.45), ("kimchi", 0.45), ("tteok", 0.3)],
    "healthy_drinks": [("kombucha", 0.5), ("coconut_water", 0.4), ("soy_milk", 0.4), ("oat_milk", 0.4),
                       ("green_tea", 0.35), ("greek_yogurt", 0.35)],
    "bakery_run": [("salt_bread", 0.6), ("croissants", 0.4), ("castella", 0.35), ("muffins", 0.35),
                   ("milk", 0.35), ("cold_brew", 0.25)],
    "chicken_dinner": [("chicken_thighs", 0.9), ("broccoli", 0.5), ("sweet_potatoes", 0.45), ("paprika", 0.4),
                       ("garlic", 0.35), ("olive_oil", 0.2)],
    "steak_night": [("beef_chuck", 0.9), ("asparagus", 0.5), ("potatoes", 0.45), ("butter", 0.4),
                    ("sea_salt", 0.3), ("burrata", 0.15)],
    "winter_soup": [("whole_chicken", 0.7), ("radish", 0.5), ("garlic", 0.5), ("green_onion", 0.5),
                    ("anchovies", 0.3), ("sweet_potatoes", 0.3), ("napa_cabbage", 0.3)],
}

SHELF_TEXT = {1: "1 day", 2: "2 days", 3: "3 days", 4: "4 days", 5: "5 days", 7: "7 days"}


def grocery_name(org: bool, q_en: str, noun_en: str, w_en: str, noun_ko: str, q_ko: str, w_ko: str,
                 key: str) -> tuple[str, str]:
    en_q = "" if q_en in ("Classic",) and key in ("kkakdugi", "budae_kit", "tteokbokki_kit", "bulgogi_kit", "japchae") else q_en
    parts_en = (["Organic"] if org else []) + ([en_q] if en_q else []) + [noun_en]
    name = " ".join(parts_en)
    if w_en.startswith("for "):
        name += " " + w_en
    elif w_en == "half loaf":
        name += " (Half Loaf)"
    else:
        name += " " + w_en
    if "{}" in q_ko:
        core_ko = q_ko.format(noun_ko)
    elif q_ko:
        core_ko = f"{q_ko} {noun_ko}"
    else:
        core_ko = noun_ko
    if w_en == "half loaf":
        name_ko = ("유기농 " if org else "") + core_ko + " 하프"
    else:
        name_ko = ("유기농 " if org else "") + core_ko + " " + w_ko
    return name, name_ko


def build_grocery(cat: Catalog, new_items: Catalog) -> None:
    rows = []
    for (key, noun_en, noun_ko, category, shelf, quals, packs, org_ok, ptags, blurbs, n) in GROCERY_PRODUCTS:
        combos = []
        for qi, q in enumerate(quals):
            for wi, w in enumerate(packs):
                combos.append((False, qi, wi))
                if org_ok:
                    combos.append((True, qi, wi))
        # always keep the plain first variants so every product has its everyday SKU
        first = combos[:1]
        rest = combos[1:]
        rng.shuffle(rest)
        chosen = first + rest[: max(0, n - 1)]
        chosen.sort(key=lambda c: (c[1], c[2], c[0]))
        for org, qi, wi in chosen:
            q_en, q_ko, q_phrase = quals[qi]
            w_en, w_ko, base_price = packs[wi]
            name, name_ko = grocery_name(org, q_en, noun_en, w_en, noun_ko, q_ko, w_ko, key)
            rows.append((key, category, shelf, org, q_en, q_phrase, w_en, base_price, ptags, blurbs, name, name_ko, qi))
    next_id = 2001
    premium_q = ("1++ Grade", "Hoengseong", "Jeju Black", "Spanish Iberico", "Wando Live", "Sashimi-grade Norwegian",
                 "French Cultured", "Damyang Kingsberry", "Ethiopia Yirgacheffe", "Jirisan", "Italian")
    for (key, category, shelf, org, q_en, q_phrase, w_en, base_price, ptags, blurbs, name, name_ko, qi) in rows:
        price = base_price * (1.0 + (0.18 if q_en in premium_q else 0.0) + (0.3 if org else 0.0)) * rng.uniform(0.92, 1.1)
        price = krw(price)
        fresh = shelf is not None
        if w_en.startswith("for "):
            base = name.split(" for ")[0]
        elif w_en == "half loaf":
            base = name.replace(" (Half Loaf)", "")
        else:
            base = name[: len(name) - len(w_en)].strip()
        noun_desc = name_for_text(base)
        blurb = pick(blurbs)
        redundant = q_phrase.startswith("from ") and len(q_phrase.split()) <= 3 and \
            any(w in q_phrase for w in q_en.split())
        if q_phrase and not redundant:
            desc1 = f"{noun_desc}, {q_phrase}: {blurb}."
        else:
            desc1 = f"{noun_desc}: {blurb}."
        is_measure = w_en[-1:] in ("g", "L", "l") and w_en[0].isdigit()
        if fresh:
            st = SHELF_TEXT.get(shelf, f"{shelf} days")
            if key in ("budae_kit", "tteokbokki_kit", "millefeuille_kit", "sundubu_kit", "bulgogi_kit"):
                desc2 = pick([f"Everything is prepped; cook and serve within {st}.",
                              f"Keep refrigerated and cook within {st}."])
            elif category == "Bakery":
                desc2 = pick([f"Baked this morning; best within {st}.", f"Best on the day of delivery, good for {st}."]
                             if shelf <= 2 else [f"Baked fresh daily; best within {st}.",
                                                 f"Keep in a cool place and enjoy within {st}."])
            elif category == "Ready meals":
                desc2 = pick([f"Keep refrigerated and eat within {st}.", f"Made fresh; best within {st} of delivery."])
            else:
                opts = [f"Packed the morning of dispatch; keep refrigerated and use within {st}.",
                        f"Keep chilled; shelf life {st} from delivery."]
                if is_measure:
                    opts.append(f"{w_en} pack, best within {st} of delivery.")
                desc2 = pick(opts)
        elif key in ("ssamjang", "gochujang", "doenjang", "tomato_sauce", "jam", "parmesan", "orange_juice",
                     "oat_milk", "cold_brew", "soy_milk", "sikhye", "coconut_water", "kombucha"):
            desc2 = pick(["Refrigerate after opening.", "Keep refrigerated once opened."])
        elif category == "Beverages":
            desc2 = pick(["Best served chilled.", "Store at room temperature; serve cold."])
        else:
            desc2 = pick(["Store in a cool, dry place.", "Keep away from direct sunlight and humidity."])
        desc = f"{desc1} {desc2}"
        if fresh:
            # the lot on sale now arrived some time ago: age between 30 % and 100 % of the shelf
            # life (plus a little), so some lots already expired and many expire in 1-3 days
            age_h = rng.uniform(0.3 * shelf * 24, shelf * 24 + 8)
            exp = NOW_TS - int(age_h * 3600) + shelf * DAY
            exp = exp - exp % 3600
            lo, hi = ts_of(2026, 11, 13, 6), ts_of(2026, 11, 22, 22)
            exp = min(hi, max(lo, exp))
            expires = fmt_ts(exp)
        else:
            expires = ""
        if rng.random() < 0.05:
            stock = 0
        else:
            stock = int(min(400, max(1, rng.lognormvariate(3.4, 0.9))))
        released = random_date("2024-03-01", "2026-09-20") if rng.random() < 0.96 else random_date("2026-10-05", "2026-11-08")
        brand = pick(GROCERY_BRANDS[category])
        tags = [category.lower().replace(" ", "-")] + list(ptags)
        if org:
            tags.append("organic")
        if fresh:
            tags.append("fresh")
        row = new_row(id=next_id, name=name, name_ko=name_ko, category=category, tags=tags_join(tags),
                      description=desc, price=price, currency="KRW", stock=stock, released_at=released,
                      expires_at=expires, vertical="grocery", brand=brand, rating=rating(4.35, 0.4),
                      organic="true" if org else "false")
        cat.add(row, product=key, fresh=fresh, pop=1.0)
        next_id += 1
    # a few per-customer purchase limits on premium or promotional items
    candidates = [r for r in cat.rows if r["vertical"] == "grocery" and int(r["price"]) >= 25000 and r["stock"] != "0"]
    eggs = [r for r in cat.rows if r["vertical"] == "grocery" and cat.meta[r["id"]]["product"] in ("eggs", "strawberries")]
    limited = sample(candidates, 8) + sample(eggs, 3)
    limited.sort(key=lambda r: int(r["id"]))
    for r in limited:
        lim = rng.randint(2, 5)
        r["purchase_limit"] = str(lim)
        r["description"] = r["description"][:-1] + f"; limit {lim} per customer."
        r["tags"] += "|limited-offer"

    new_g = [
        (2901, "Jeju Hallabong Tangerines 1kg", "제주 한라봉 1kg", "Fruit", 7,
         ["fruit", "citrus", "hallabong", "winter", "new", "fresh"],
         "Jeju Hallabong tangerines, the first of the winter harvest: large, seedless and very sweet. 1kg box, best within 7 days.",
         15900, "Jeju Orchard", True),
        (2902, "Yeongdeok Snow Crab 1 pc", "영덕 대게 1마리", "Seafood", 2,
         ["seafood", "crab", "winter", "new", "fresh", "gift"],
         "Live snow crab landed at Ganggu port in Yeongdeok, steamed to order. About 1.2kg; eat within 2 days.",
         69000, "Blue Harbor", False),
        (2903, "Sangju Dried Persimmons 500g", "상주 곶감 500g", "Fruit", 7,
         ["fruit", "persimmon", "dried-fruit", "new", "fresh", "gift"],
         "Semi-dried Sangju persimmons, chewy outside and jelly-soft inside. New-season batch; keep chilled and enjoy within 7 days.",
         19900, "Morning Farm", False),
        (2904, "Organic Kale & Spinach Salad Mix 150g", "유기농 케일 시금치 샐러드 믹스 150g", "Vegetables", 3,
         ["vegetables", "salad", "kale", "organic", "new", "fresh"],
         "A new organic mix of baby kale and spinach, washed and ready to eat. Best within 3 days.",
         4900, "Green Basket", True),
    ]
    for iid, name, ko, category, shelf, tags, desc, price, brand, org in new_g:
        new_items.add(new_row(id=iid, name=name, name_ko=ko, category=category, tags=tags_join(tags),
                              description=desc, price=price, currency="KRW", stock=rng.randint(20, 80),
                              released_at="2026-11-15" if iid % 2 else "2026-11-14",
                              expires_at=fmt_ts(ts_of(2026, 11, 14, 9) + shelf * DAY),
                              vertical="grocery", brand=brand, rating=rating(4.5, 0.2),
                              organic="true" if org else "false"),
                      product=None, fresh=True, pop=0.0)


GROCERY_PROPER = ["Nonsan", "Seolhyang", "Damyang", "Kingsberry", "Jinju", "Maehyang", "Sancheong", "Cheongsong", "Fuji",
                  "Chungju", "Yesan", "Hongro", "Yeongju", "Naju", "Singo", "Anseong", "Sangju", "Jeju", "Seogwipo",
                  "Philippine", "Ecuadorian", "Shine", "Muscat", "Gimcheon", "Yeongdong", "Californian", "Chilean",
                  "Mexican", "Hass", "Peruvian", "Korean", "New Zealand", "Jinyeong", "Changwon", "Icheon", "Miryang",
                  "Geumsan", "Uiseong", "Namhae", "Danyang", "Jindo", "Sinan", "Muan", "Changnyeong", "Gangwon",
                  "Pyeongchang", "Haenam", "Yeoju", "Goesan", "Pohang", "Seomcho", "Gujwa", "Busan", "Buyeo",
                  "Jangheung", "Cheongyang", "Gimhae", "Yanggu", "Cheonan", "Gochang", "Napa", "Handon", "Hanwoo",
                  "Hoengseong", "Spanish", "Iberico", "Australian", "US", "Choice", "Norwegian", "Faroe", "Islands",
                  "Andong", "Taean", "Vietnamese", "Wando", "Tongyeong", "Geoje", "East Sea", "Jumunjin", "West Sea",
                  "Manila", "Jersey", "Greek", "French", "Italian", "Durum", "Gwangcheon", "Sunchang", "Cheorwon",
                  "Odae", "Gimpo", "Ethiopia", "Yirgacheffe", "Colombia", "Supremo", "Thai", "Boseong", "Jirisan",
                  "Jeolla-style", "Gyeongsang-style", "Seolleongtang-style", "Budae", "Jjigae", "Sundubu", "Tteokbokki",
                  "Mille-feuille", "Nabe", "Kimbap", "Japchae", "Caesar", "Cobb", "Ssamjang", "Gochujang", "Doenjang",
                  "Jjamppong", "Sikhye", "Rosé", "Omega-3", "Non-GMO", "Castella", "Parmesan", "Cheongyang",
                  "Mozzarella", "Burrata", "Bulgogi"]


def name_for_text(s: str) -> str:
    """Lower-cases a product name for running text while keeping place names and dish names."""
    words = s.split(" ")
    out = []
    proper = set(w.lower() for p in GROCERY_PROPER for w in p.split(" "))
    keep_map = {w.lower(): w for p in GROCERY_PROPER for w in p.split(" ")}
    for i, w in enumerate(words):
        lw = w.lower()
        if any(ch.isdigit() for ch in w) or "+" in w or (w.isupper() and len(w) <= 3 and i > 0):
            out.append(w)
        elif lw in proper:
            out.append(keep_map[lw])
        elif i == 0:
            out.append(w[:1].upper() + w[1:].lower())
        else:
            out.append(lw)
    return " ".join(out)


# --------------------------------------------------------------------------------------
# FASHION
# --------------------------------------------------------------------------------------

GENDERS = {"m": ("Men's", "남성"), "w": ("Women's", "여성"), "u": ("Unisex", "공용")}
FITS = {
    "slim": ("Slim-fit", "슬림핏", "a close, tailored fit"),
    "over": ("Oversized", "오버사이즈", "a roomy, dropped-shoulder fit"),
    "relaxed": ("Relaxed-fit", "릴렉스핏", "an easy, relaxed fit"),
    "regular": ("Regular-fit", "레귤러핏", "a classic regular fit"),
    "cropped": ("Cropped", "크롭", "a cropped length that sits at the waist"),
    "wide": ("Wide-leg", "와이드", "a wide leg that drapes straight down"),
    "straight": ("Straight-leg", "스트레이트", "a straight leg from hip to hem"),
    "tapered": ("Tapered", "테이퍼드", "a leg that narrows towards the ankle"),
    "aline": ("A-line", "A라인", "an A-line silhouette"),
    "midi": ("Midi", "미디", "a midi length that falls below the knee"),
    "mini": ("Mini", "미니", "a mini length"),
    "maxi": ("Maxi", "맥시", "an ankle-grazing maxi length"),
    "boxy": ("Boxy", "박시", "a boxy, cropped shape"),
    "long": ("Longline", "롱", "a longline cut that covers the hips"),
    "chunky": ("Chunky", "청키", "a chunky sole"),
    "pleated": ("Pleated", "플리츠", "soft knife pleats"),
}
COLOURS = [
    ("Black", "블랙"), ("Ivory", "아이보리"), ("Navy", "네이비"), ("Charcoal", "차콜"), ("Beige", "베이지"),
    ("Khaki", "카키"), ("Light Blue", "라이트 블루"), ("Burgundy", "버건디"), ("Olive", "올리브"), ("Camel", "카멜"),
    ("Grey", "그레이"), ("White", "화이트"), ("Mocha", "모카"), ("Sage Green", "세이지 그린"), ("Cream", "크림"),
    ("Indigo", "인디고"), ("Brown", "브라운"), ("Pink", "핑크"), ("Sky Blue", "스카이 블루"), ("Oatmeal", "오트밀"),
]
# colours that read as neutral for outfit matching
NEUTRALS = {"Black", "Ivory", "Navy", "Charcoal", "Beige", "Grey", "White", "Cream", "Oatmeal", "Camel"}
FABRICS = {
    "denim": ("Denim", "데님", "rigid cotton denim with a light stone wash"),
    "linen": ("Linen", "린넨", "breathable washed linen"),
    "cotton": ("Cotton", "코튼", "soft combed cotton"),
    "wool": ("Wool", "울", "a warm wool blend (70% wool)"),
    "cashmere": ("Cashmere-blend", "캐시미어 블렌드", "a soft cashmere-blend yarn"),
    "corduroy": ("Corduroy", "코듀로이", "fine-wale cotton corduroy"),
    "leather": ("Leather", "레더", "full-grain cowhide leather"),
    "suede": ("Suede", "스웨이드", "soft split suede"),
    "fleece": ("Fleece", "플리스", "brushed fleece that stays warm"),
    "knit": ("Knit", "니트", "a chunky rib knit"),
    "nylon": ("Nylon", "나일론", "water-repellent ripstop nylon"),
    "tweed": ("Tweed", "트위드", "textured bouclé tweed"),
    "satin": ("Satin", "새틴", "fluid satin with a soft sheen"),
    "chiffon": ("Chiffon", "쉬폰", "light, floaty chiffon"),
    "jersey": ("Jersey", "저지", "stretchy cotton jersey"),
    "canvas": ("Canvas", "캔버스", "heavy cotton canvas"),
    "flannel": ("Flannel", "플란넬", "brushed cotton flannel"),
    "oxford": ("Oxford", "옥스포드", "crisp Oxford cotton"),
    "poplin": ("Poplin", "포플린", "smooth cotton poplin"),
    "mesh": ("Mesh", "메쉬", "breathable engineered mesh"),
    "selvedge": ("Selvedge", "셀비지", "Japanese selvedge denim"),
    "stretch": ("Stretch", "스트레치", "comfort-stretch denim"),
    "padded": ("Padded", "패딩", "a lightweight recycled-down fill"),
}
# key, English, Korean, category, genders, fabrics, fits, price range, role (for outfits), seasons, details, count
GARMENTS = [
    ("tshirt", "T-shirt", "티셔츠", "Tops", "mwu", ["cotton", "jersey"], ["over", "regular", "slim", "cropped", "boxy"],
     (19900, 39000), "top", ["all-season"], ["a ribbed crew neck", "a garment-dyed finish", "a small embroidered logo on the chest"], 20),
    ("shirt", "Shirt", "셔츠", "Tops", "mwu", ["oxford", "linen", "poplin", "flannel", "denim"], ["slim", "regular", "over"],
     (39000, 79000), "top", ["all-season"], ["a button-down collar", "mother-of-pearl buttons", "a single chest pocket"], 20),
    ("blouse", "Blouse", "블라우스", "Tops", "w", ["satin", "chiffon", "linen"], ["relaxed", "regular", "cropped"],
     (39000, 69000), "top", ["all-season"], ["a soft tie neck", "puffed sleeves", "covered buttons"], 11),
    ("sweater", "Sweater", "스웨터", "Tops", "mwu", ["wool", "cashmere", "knit"], ["over", "regular", "relaxed", "cropped"],
     (49000, 129000), "top", ["fall", "winter"], ["ribbed cuffs and hem", "a crew neck", "a mock neck"], 20),
    ("hoodie", "Hoodie", "후드티", "Tops", "mwu", ["cotton", "fleece"], ["over", "regular", "boxy"],
     (39000, 79000), "top", ["fall", "winter"], ["a kangaroo pocket", "a double-layered hood", "flat drawcords"], 14),
    ("sweatshirt", "Sweatshirt", "맨투맨", "Tops", "mwu", ["cotton", "fleece"], ["over", "regular", "relaxed"],
     (35000, 69000), "top", ["fall", "winter"], ["a brushed inside", "raglan sleeves", "a small rubber patch on the hem"], 11),
    ("cardigan", "Cardigan", "가디건", "Tops", "mwu", ["wool", "cashmere", "knit"], ["regular", "cropped", "over"],
     (49000, 119000), "top", ["fall", "winter"], ["horn buttons", "patch pockets", "a V-neck"], 12),
    ("jacket", "Jacket", "재킷", "Outerwear", "mwu", ["denim", "leather", "suede", "corduroy", "tweed", "nylon"],
     ["slim", "regular", "over", "cropped"], (89000, 249000), "outer", ["fall"],
     ["two chest pockets", "metal snap buttons", "a hidden inner pocket"], 23),
    ("coat", "Coat", "코트", "Outerwear", "mwu", ["wool", "cashmere", "tweed"], ["long", "regular", "over"],
     (159000, 399000), "outer", ["winter"], ["a notched lapel", "a single-breasted front", "a back vent"], 17),
    ("trench", "Trench Coat", "트렌치 코트", "Outerwear", "mw", ["cotton", "nylon"], ["long", "regular", "over"],
     (139000, 259000), "outer", ["fall"], ["a belted waist", "storm flaps", "a detachable lining"], 8),
    ("puffer", "Puffer Jacket", "패딩 점퍼", "Outerwear", "mwu", ["nylon", "padded"], ["cropped", "regular", "long", "boxy"],
     (129000, 269000), "outer", ["winter"], ["a high collar", "a stowaway hood", "two-way zips"], 17),
    ("blazer", "Blazer", "블레이저", "Outerwear", "mw", ["wool", "linen", "tweed"], ["slim", "regular", "over"],
     (119000, 229000), "outer", ["fall"], ["a notched lapel", "flap pockets", "a half lining"], 11),
    ("zipup", "Zip-up Jacket", "집업 재킷", "Outerwear", "mwu", ["fleece", "nylon"], ["regular", "boxy", "over"],
     (59000, 119000), "outer", ["fall", "winter"], ["a stand collar", "zip hand pockets", "contrast piping"], 9),
    ("dress", "Dress", "원피스", "Dresses", "w", ["linen", "satin", "knit", "cotton", "chiffon", "jersey"],
     ["aline", "midi", "maxi", "mini", "slim"], (59000, 159000), "dress", ["all-season"],
     ["a square neckline", "a self-tie belt", "side pockets"], 23),
    ("shirt_dress", "Shirt Dress", "셔츠 원피스", "Dresses", "w", ["cotton", "linen", "poplin", "denim"],
     ["midi", "maxi", "relaxed"], (69000, 139000), "dress", ["all-season"], ["a belted waist", "a classic collar"], 9),
    ("jeans", "Jeans", "청바지", "Bottoms", "mwu", ["selvedge", "stretch", "denim"], ["slim", "straight", "wide", "tapered", "relaxed"],
     (49000, 119000), "bottom", ["all-season"], ["a five-pocket design", "a button fly", "raw hems"], 23),
    ("trousers", "Trousers", "슬랙스", "Bottoms", "mw", ["wool", "linen", "cotton"], ["wide", "straight", "tapered", "slim"],
     (49000, 99000), "bottom", ["all-season"], ["pressed front creases", "an elastic back waistband", "side adjusters"], 18),
    ("chinos", "Chinos", "치노 팬츠", "Bottoms", "mw", ["cotton", "corduroy"], ["slim", "straight", "relaxed"],
     (45000, 79000), "bottom", ["all-season"], ["slanted pockets", "a garment-washed finish"], 11),
    ("skirt", "Skirt", "스커트", "Bottoms", "w", ["denim", "tweed", "satin", "corduroy", "wool"], ["aline", "mini", "midi", "pleated"],
     (39000, 89000), "bottom", ["all-season"], ["a concealed side zip", "a high waist"], 15),
    ("joggers", "Jogger Pants", "조거 팬츠", "Bottoms", "mwu", ["cotton", "fleece", "nylon"], ["regular", "relaxed", "tapered"],
     (39000, 69000), "bottom", ["all-season"], ["ribbed cuffs", "a drawcord waist", "zip pockets"], 9),
    ("cargo", "Cargo Pants", "카고 팬츠", "Bottoms", "mu", ["cotton", "nylon"], ["wide", "relaxed", "straight"],
     (55000, 89000), "bottom", ["all-season"], ["bellowed cargo pockets", "adjustable hems"], 8),
    ("sneakers", "Sneakers", "스니커즈", "Shoes", "mwu", ["leather", "canvas", "suede", "mesh"], ["chunky", None],
     (69000, 169000), "shoes", ["all-season"], ["a cushioned insole", "a vulcanised rubber sole", "waxed laces"], 21),
    ("loafers", "Loafers", "로퍼", "Shoes", "mw", ["leather", "suede"], ["chunky", None],
     (89000, 189000), "shoes", ["all-season"], ["a penny strap", "a leather sole with rubber heel"], 9),
    ("chelsea", "Chelsea Boots", "첼시 부츠", "Shoes", "mw", ["leather", "suede"], ["chunky", None],
     (129000, 229000), "shoes", ["fall", "winter"], ["elastic side panels", "a pull tab", "a lug sole"], 9),
    ("ankle_boots", "Ankle Boots", "앵클 부츠", "Shoes", "w", ["leather", "suede"], [None],
     (119000, 199000), "shoes", ["fall", "winter"], ["a 5 cm block heel", "a side zip"], 6),
    ("runners", "Running Shoes", "러닝화", "Shoes", "mwu", ["mesh", "nylon"], [None],
     (89000, 179000), "shoes", ["all-season"], ["a responsive foam midsole", "a reflective heel tab"], 8),
    ("tote", "Tote Bag", "토트백", "Bags", "u", ["canvas", "leather", "nylon"], [None],
     (39000, 199000), "bag", ["all-season"], ["an inner zip pocket", "a magnetic snap", "reinforced handles"], 8),
    ("backpack", "Backpack", "백팩", "Bags", "u", ["nylon", "canvas", "leather"], [None],
     (59000, 219000), "bag", ["all-season"], ["a padded 15-inch laptop sleeve", "a luggage strap", "side bottle pockets"], 8),
    ("crossbody", "Crossbody Bag", "크로스백", "Bags", "u", ["leather", "nylon"], [None],
     (49000, 189000), "bag", ["all-season"], ["an adjustable strap", "a front zip pocket"], 7),
    ("shoulder", "Shoulder Bag", "숄더백", "Bags", "w", ["leather", "suede"], [None],
     (89000, 259000), "bag", ["all-season"], ["a gold-tone clasp", "a detachable strap"], 5),
    ("scarf", "Muffler", "머플러", "Accessories", "u", ["wool", "cashmere", "knit"], [None],
     (29000, 89000), "acc", ["fall", "winter"], ["fringed ends", "a brushed finish"], 7),
    ("beanie", "Beanie", "비니", "Accessories", "u", ["knit", "wool"], ["chunky", None],
     (19000, 39000), "acc", ["fall", "winter"], ["a turn-up cuff", "a small woven label"], 6),
    ("cap", "Ball Cap", "볼캡", "Accessories", "u", ["cotton", "corduroy", "nylon"], [None],
     (25000, 45000), "acc", ["all-season"], ["an adjustable back strap", "an embroidered logo"], 6),
    ("belt", "Belt", "벨트", "Accessories", "mw", ["leather"], [None],
     (29000, 69000), "acc", ["all-season"], ["a brushed silver buckle", "a 3 cm strap"], 4),
    ("gloves", "Gloves", "장갑", "Accessories", "mwu", ["leather", "wool", "knit"], [None],
     (19000, 69000), "acc", ["winter"], ["touchscreen fingertips", "a soft lining"], 5),
]
FASHION_BRANDS = {
    "Tops": ["Seoul Standard", "Mellow Mood", "Urban Pine", "Knotted"],
    "Outerwear": ["Northwind", "Maison Haneul", "Urban Pine", "Arden & Co"],
    "Dresses": ["Maison Haneul", "Mellow Mood", "Arden & Co"],
    "Bottoms": ["Seoul Standard", "Indigo Lab", "Urban Pine"],
    "Shoes": ["Stride Lab", "Arden & Co", "Northwind"],
    "Bags": ["Carry Form", "Maison Haneul"],
    "Accessories": ["Knotted", "Carry Form", "Seoul Standard"],
}
STYLES = ["casual", "minimal", "street", "office", "outdoor"]
PAIRINGS = {
    "top": ["straight-leg jeans", "wide trousers", "a midi skirt", "white sneakers", "chinos"],
    "outer": ["a knit sweater and jeans", "a hoodie", "wide trousers and loafers", "a turtleneck"],
    "dress": ["ankle boots", "a cropped cardigan", "loafers", "a leather belt"],
    "bottom": ["an oversized sweater", "a crisp Oxford shirt", "a plain T-shirt", "chunky sneakers"],
    "shoes": ["straight-leg jeans", "cropped trousers", "a midi dress"],
    "bag": ["everyday outfits", "office looks"],
    "acc": ["a wool coat", "a puffer jacket"],
}


def fashion_sizes(gkey: str, gender: str, category: str) -> str:
    if category in ("Tops", "Outerwear", "Dresses"):
        return {"w": "XS|S|M|L", "m": "S|M|L|XL|XXL", "u": "S|M|L|XL"}[gender]
    if category == "Bottoms":
        if gkey in ("jeans", "trousers", "chinos"):
            return "24|25|26|27|28|29|30" if gender == "w" else "28|29|30|31|32|33|34|36"
        return "S|M|L" if gender == "w" else "S|M|L|XL"
    if category == "Shoes":
        return {"w": "220-260", "m": "250-290", "u": "225-290"}[gender]
    if gkey in ("belt", "gloves"):
        return "S|M|L"
    return "One size"


def build_fashion(cat: Catalog, new_items: Catalog) -> None:
    next_id = 3001
    for (gkey, g_en, g_ko, category, genders, fabrics, fits, (plo, phi), role, seasons, details, count) in GARMENTS:
        made = 0
        tries = 0
        while made < count and tries < 500:
            tries += 1
            gender = pick(genders)
            fab = pick(fabrics)
            fit = pick(fits)
            if rng.random() < 0.2 and None not in fits:
                fit = None
            col_en, col_ko = pick(COLOURS)
            if gkey == "jeans" and col_en not in ("Black", "Indigo", "Light Blue", "Grey", "White", "Sky Blue", "Navy", "Ivory"):
                continue
            if fab in ("mesh",) and col_en in ("Camel", "Mocha", "Burgundy"):
                continue
            if fab in ("leather", "suede") and col_en in ("Light Blue", "Sky Blue", "Pink", "Sage Green", "Indigo"):
                continue
            parts_en, parts_ko = [], []
            if genders != "u":
                parts_en.append(GENDERS[gender][0])
                parts_ko.append(GENDERS[gender][1])
            if fit:
                parts_en.append(FITS[fit][0])
                parts_ko.append(FITS[fit][1])
            parts_en.append(col_en)
            parts_ko.append(col_ko)
            same = (fab == "denim" and gkey == "jeans") or (fab == "knit" and gkey in ("sweater",)) or \
                   (fab == "padded" and gkey == "puffer")
            if not same:
                parts_en.append(FABRICS[fab][0])
                parts_ko.append(FABRICS[fab][1])
            parts_en.append(g_en)
            parts_ko.append(g_ko)
            name = " ".join(parts_en)
            name_ko = " ".join(parts_ko)
            if cat.has_name("fashion", name):
                continue
            # description: fit, fabric, colour, one detail, a styling tip
            plural = g_en.endswith("s")
            if fit == "chunky" and category != "Shoes":
                fit_txt = "a chunky, slouchy shape"
            else:
                fit_txt = FITS[fit][2] if fit else None
            noun = g_en if g_en == "T-shirt" else g_en.lower()
            if plural:
                sent1 = f"{cap(col_en.lower())} {noun} in {FABRICS[fab][2]}"
            else:
                art = "An" if col_en[0] in "AEIOU" else "A"
                sent1 = f"{art} {col_en.lower()} {noun} in {FABRICS[fab][2]}"
            if fit_txt:
                sent1 += f", on {fit_txt}" if fit_txt == "a chunky sole" else f", cut with {fit_txt}"
                sent1 += f" and finished with {pick(details)}."
            else:
                sent1 += f", finished with {pick(details)}."
            size_opts = fashion_sizes(gkey, gender, category).split("|")
            tips = [f"Pairs well with {pick(PAIRINGS[role])}.", f"Easy to style with {pick(PAIRINGS[role])}."]
            if category in ("Tops", "Outerwear", "Dresses", "Bottoms"):
                h = rng.randint(176, 188) if gender == "m" else rng.randint(162, 174)
                tips.append(f"Model is {h} cm tall and wears size {size_opts[len(size_opts) // 2 - (1 if gender == 'w' else 0)]}.")
                if fab in ("wool", "cashmere", "knit", "tweed", "satin", "leather", "suede"):
                    tips.append("Dry clean or hand wash cold; dry flat.")
                else:
                    tips.append("Machine wash cold, inside out.")
            elif category == "Shoes":
                tips.append("True to size; half a size up if you have wide feet.")
            sent2 = pick(tips)
            desc = (sent1 + " " + sent2).strip()
            first_sentence = sent1
            style = pick(STYLES)
            tags = [category.lower(), gkey.replace("_", "-"), {"m": "men", "w": "women", "u": "unisex"}[gender],
                    col_en.lower(), FABRICS[fab][0].lower()] + ([FITS[fit][0].lower()] if fit else []) + seasons + [style]
            price = krw(rng.uniform(plo, phi) * (1.15 if fab in ("cashmere", "leather", "suede", "selvedge") else 1.0))
            if rng.random() < 0.94:
                # new autumn/winter arrivals are over-represented
                released = random_date("2025-03-01", "2026-09-30") if rng.random() < 0.7 else random_date("2026-10-01", "2026-11-10")
            else:
                released = None  # decided below (upcoming)
            stock = 0 if rng.random() < 0.07 else int(min(300, max(1, rng.lognormvariate(3.0, 0.9))))
            row = new_row(id=next_id, name=name, name_ko=name_ko, category=category, tags=tags_join(tags),
                          description=desc, price=price, currency="KRW", stock=stock,
                          released_at=released or "", vertical="fashion", brand=pick(FASHION_BRANDS[category]),
                          rating=rating(4.3, 0.45), size=fashion_sizes(gkey, gender, category))
            cat.add(row, garment=gkey, role=role, gender=gender, colour=col_en, style=style, pop=1.0,
                    first=first_sentence)
            next_id += 1
            made += 1
    fashion_rows = [r for r in cat.rows if r["vertical"] == "fashion"]
    # a handful of pre-listed items that release after the demo "now"
    undecided = [r for r in fashion_rows if r["released_at"] == ""]
    upcoming = sample([r for r in undecided if r["category"] in ("Outerwear", "Tops", "Shoes")], 7)
    up_ids = {r["id"] for r in upcoming}
    for r in fashion_rows:
        if r["released_at"] == "":
            if r["id"] in up_ids:
                r["released_at"] = random_date("2026-11-18", "2026-12-05")
                r["tags"] += "|upcoming"
                r["description"] = cat.meta[r["id"]]["first"] + f" Pre-order opens on {r['released_at']}."
                cat.meta[r["id"]]["pop"] = 0.0
            else:
                r["released_at"] = random_date("2025-03-01", "2026-09-30")
    # a few descriptions that exercise CSV quoting: double quotes and line breaks
    quoted = sample([r for r in fashion_rows if r["id"] not in up_ids], 6)
    capsules = ["Weekend Edit", "Seoul Standard", "City Layers", "Quiet Luxury", "Campus", "Winter Studio"]
    for r, cap_name in zip(quoted, capsules):
        r["description"] = cat.meta[r["id"]]["first"] + f' Part of our "{cap_name}" capsule collection.'
    multiline = sample([r for r in fashion_rows if r["id"] not in up_ids and r not in quoted
                        and r["category"] in ("Outerwear", "Tops")], 2)
    for r in multiline:
        r["description"] = cat.meta[r["id"]]["first"] + "\nSize guide: runs small, we recommend one size up."

    new_f = [
        (3901, "Women's Hooded Cream Cashmere-blend Wrap Coat", "여성 후드 크림 캐시미어 블렌드 랩 코트", "Outerwear", "w",
         ["outerwear", "coat", "women", "cream", "cashmere-blend", "winter", "new"],
         "A cream wrap coat in a soft cashmere-blend yarn with a generous hood and a self-tie belt. New for winter.",
         329000, "Maison Haneul"),
        (3902, "Men's Quilted Olive Padded Vest", "남성 퀼팅 올리브 패딩 베스트", "Outerwear", "m",
         ["outerwear", "vest", "men", "olive", "padded", "winter", "new"],
         "A lightweight quilted vest in olive ripstop with recycled-down fill, made for layering over knitwear.",
         119000, "Northwind"),
        (3903, "Unisex Sherpa Fleece Zip-up Jacket", "공용 셰르파 플리스 집업 재킷", "Outerwear", "u",
         ["outerwear", "zipup", "unisex", "ivory", "fleece", "winter", "new"],
         "An ivory sherpa fleece zip-up with a stand collar and nylon-trimmed pockets. Warm, boxy and new this week.",
         99000, "Urban Pine"),
        (3904, "Chunky Rib-knit Ivory Beanie", "청키 립니트 아이보리 비니", "Accessories", "u",
         ["accessories", "beanie", "unisex", "ivory", "knit", "winter", "new"],
         "A chunky rib-knit beanie in ivory wool blend with a deep turn-up cuff.", 29000, "Knotted"),
    ]
    for iid, name, ko, category, gender, tags, desc, price, brand in new_f:
        new_items.add(new_row(id=iid, name=name, name_ko=ko, category=category, tags=tags_join(tags), description=desc,
                              price=price, currency="KRW", stock=rng.randint(15, 60),
                              released_at="2026-11-14" if iid % 2 else "2026-11-15", vertical="fashion", brand=brand,
                              rating=rating(4.6, 0.2), size=fashion_sizes("beanie" if "Beanie" in name else "coat", gender, category)),
                      garment=None, pop=0.0)


# --------------------------------------------------------------------------------------
# FOOD DELIVERY
# --------------------------------------------------------------------------------------

# Modifiers: key -> (English template, Korean template, price multiplier, price add, kcal add, phrase)
FOOD_MODS = {
    "spicy": ("Spicy {}", "매운 {}", 1.0, 500, 30, "made extra spicy with Cheongyang chillies"),
    "cheese": ("Cheese {}", "치즈 {}", 1.0, 2000, 180, "topped with melted mozzarella"),
    "tuna": ("Tuna {}", "참치 {}", 1.0, 1000, 90, "with tuna"),
    "for2": ("{} for 2", "{} 2인분", 1.85, 0, 0, "portioned for two"),
    "large": ("{} (Large)", "{} (대)", 1.35, 0, 0, "in a large portion"),
    "small": ("{} (Small)", "{} (소)", 0.75, 0, 0, "in a small portion"),
    "gop": ("Large {}", "{} 곱빼기", 1.0, 1500, 250, "in an extra-large portion"),
    "seafood": ("Seafood {}", "해물 {}", 1.0, 2500, 60, "loaded with shrimp, squid and mussels"),
    "beef": ("Beef {}", "소고기 {}", 1.0, 2000, 80, "with sliced beef"),
    "boneless": ("Boneless {}", "순살 {}", 1.0, 2000, -80, "made with boneless thigh meat"),
    "half": ("{} (Half)", "{} 반 마리", 0.55, 0, 0, "as a half portion"),
    "wings": ("{} Wings", "{} 윙", 1.0, 1000, -150, "with wings only"),
    "drum": ("{} (Drumsticks Only)", "{} (다리만)", 1.0, 2000, 0, "with drumsticks only"),
    "pz_r": ("Regular {}", "{} R", 1.0, 0, 0, "in a regular size"),
    "pz_l": ("Large {}", "{} L", 1.3, 0, 450, "in a large size"),
    "pz_thin": ("Large Thin-crust {}", "{} L 씬 도우", 1.3, 0, 250, "on a crisp thin crust"),
    "pz_cheese": ("Large Cheese-crust {}", "{} L 치즈 크러스트", 1.3, 3000, 650, "with a cheese-stuffed crust"),
    "pz_family": ("Family-size {}", "{} 패밀리", 1.6, 0, 900, "in a family size"),
    "set": ("{} Set", "{} 세트", 1.0, 3000, 450, "with fries and a drink"),
    "double": ("Double-patty {}", "더블 패티 {}", 1.0, 3500, 280, "with a second patty"),
    "teishoku": ("{} Set Meal", "{} 정식", 1.0, 3000, 250, "with rice, miso soup and pickles"),
    "premium": ("Premium {}", "특 {}", 1.4, 0, 80, "with premium cuts"),
    "plate": ("{} Plate", "{} 플레이트", 1.0, 4000, 350, "served with saffron rice, salad and garlic sauce"),
    "box2": ("{} Box for 2", "{} 2인 박스", 1.8, 0, 0, "packed as a box for two"),
    "extra": ("{} with Extra Protein", "{} 단백질 추가", 1.0, 3000, 160, "with a double portion of protein"),
    "drink_l": ("{} (Large)", "{} (L)", 1.0, 800, 80, "in a large cup"),
    "choco": ("Chocolate {}", "초코 {}", 1.0, 1000, 120, "drizzled with chocolate"),
    "strawberry": ("Strawberry {}", "딸기 {}", 1.0, 1500, 60, "with fresh winter strawberries"),
    "iced": ("Iced {}", "아이스 {}", 1.0, 0, 0, "served over ice"),
    "decaf": ("Decaf {}", "디카페인 {}", 1.0, 500, 0, "made with decaf beans"),
}
# category -> [(English, Korean, price, kcal, description, tags, modifiers)]
FOOD_DISHES = {
    "Korean": [
        ("Kimchi Stew", "김치찌개", 9000, 450, "aged kimchi stew with pork belly and tofu", ["stew", "kimchi", "pork"], ["spicy", "tuna", "for2", "cheese"]),
        ("Soybean Paste Stew", "된장찌개", 8500, 380, "doenjang stew with tofu, zucchini and clams", ["stew", "doenjang"], ["beef", "seafood", "for2"]),
        ("Bibimbap", "비빔밥", 9500, 600, "rice topped with seasoned vegetables, a fried egg and gochujang", ["rice", "vegetables"], ["beef", "tuna", "spicy"]),
        ("Bulgogi Rice Bowl", "불고기 덮밥", 10500, 720, "soy-marinated beef bulgogi over rice", ["rice", "beef", "bulgogi"], ["spicy", "cheese", "large"]),
        ("Stir-fried Spicy Pork", "제육볶음", 10000, 680, "pork stir-fried in gochujang with onions, served with rice", ["pork", "spicy", "rice"], ["for2", "cheese", "large"]),
        ("Tteokbokki", "떡볶이", 6000, 550, "chewy rice cakes and fish cakes in a sweet and spicy sauce", ["street-food", "spicy", "rice-cake"], ["cheese", "spicy", "large"]),
        ("Pork Bone Soup", "감자탕", 11000, 650, "pork backbone soup with potatoes and perilla seeds", ["soup", "pork"], ["for2", "large", "spicy"]),
        ("Bossam", "보쌈", 32000, 1400, "boiled pork belly with radish kimchi and lettuce wraps", ["pork", "sharing"], ["small", "large", "spicy"]),
        ("Jokbal", "족발", 35000, 1600, "braised pork trotters with shrimp sauce and lettuce", ["pork", "sharing", "late-night"], ["small", "large", "spicy"]),
        ("Kimbap", "김밥", 4500, 420, "a seaweed rice roll with egg, spinach, carrot and pickled radish", ["kimbap", "snack"], ["tuna", "cheese", "beef"]),
        ("Soft Tofu Stew", "순두부찌개", 9500, 420, "silky soft tofu in a spicy broth with an egg", ["stew", "tofu", "spicy"], ["seafood", "beef", "cheese"]),
        ("Short Rib Soup", "갈비탕", 13000, 550, "clear beef short rib soup with glass noodles and radish", ["soup", "beef"], ["premium", "large"]),
        ("Spicy Chicken Stir-fry", "닭갈비", 13000, 780, "chicken, cabbage and rice cakes stir-fried in a spicy sauce", ["chicken", "spicy"], ["cheese", "for2", "large"]),
    ],
    "Chicken": [
        ("Fried Chicken", "후라이드 치킨", 19000, 2100, "crispy double-fried chicken with pickled radish", ["fried-chicken", "crispy"], ["boneless", "half", "wings", "drum"]),
        ("Yangnyeom Chicken", "양념 치킨", 20000, 2300, "fried chicken glazed in a sweet and spicy sauce", ["fried-chicken", "sweet-spicy"], ["boneless", "half", "wings", "drum"]),
        ("Soy Garlic Chicken", "간장 마늘 치킨", 21000, 2200, "fried chicken brushed with soy sauce and roasted garlic", ["fried-chicken", "soy-garlic"], ["boneless", "wings", "drum", "half"]),
        ("Honey Butter Chicken", "허니버터 치킨", 21000, 2400, "crispy chicken tossed in honey butter", ["fried-chicken", "sweet"], ["boneless", "wings", "half"]),
        ("Green Onion Chicken", "파닭", 21000, 2150, "fried chicken piled with shredded green onion and mustard sauce", ["fried-chicken", "green-onion"], ["boneless", "half", "drum"]),
        ("Snow Cheese Chicken", "스노우 치즈 치킨", 21000, 2450, "fried chicken dusted with sweet cheese powder", ["fried-chicken", "cheese"], ["boneless", "wings", "drum"]),
        ("Hot & Spicy Chicken", "핫 스파이시 치킨", 21000, 2250, "fried chicken in a fiery chilli glaze", ["fried-chicken", "spicy"], ["boneless", "wings", "half"]),
        ("Oven Roast Chicken", "오븐 구이 치킨", 19000, 1700, "oven-roasted chicken with a crisp skin and herb salt", ["roast-chicken", "light"], ["boneless", "half", "spicy"]),
        ("Dakgangjeong", "닭강정", 17000, 1900, "bite-sized crispy chicken in a sticky sweet glaze with peanuts", ["fried-chicken", "sweet"], ["spicy", "large", "small"]),
    ],
    "Pizza": [
        ("Pepperoni Pizza", "페퍼로니 피자", 18900, 2100, "classic pepperoni and mozzarella on tomato sauce", ["pepperoni", "classic"], ["pz_r", "pz_l", "pz_thin", "pz_cheese", "pz_family"]),
        ("Bulgogi Pizza", "불고기 피자", 21900, 2300, "sweet soy bulgogi with onions and mushrooms", ["bulgogi", "korean-style"], ["pz_r", "pz_l", "pz_cheese", "pz_family"]),
        ("Potato Pizza", "포테이토 피자", 20900, 2350, "roasted potato wedges, bacon and sweet corn with mayo", ["potato", "korean-style"], ["pz_r", "pz_l", "pz_cheese"]),
        ("Super Supreme Pizza", "슈퍼 슈프림 피자", 22900, 2400, "pepperoni, sausage, peppers, olives and mushrooms", ["supreme", "classic"], ["pz_r", "pz_l", "pz_thin", "pz_family"]),
        ("Four Cheese Pizza", "콰트로 치즈 피자", 21900, 2250, "mozzarella, cheddar, gorgonzola and parmesan with honey dip", ["cheese", "honey"], ["pz_r", "pz_l", "pz_thin"]),
        ("Shrimp Pizza", "쉬림프 피자", 23900, 2150, "garlic butter shrimp with broccoli and tomatoes", ["shrimp", "seafood"], ["pz_r", "pz_l", "pz_cheese"]),
        ("Hawaiian Pizza", "하와이안 피자", 19900, 2050, "ham and pineapple on tomato sauce", ["ham", "pineapple"], ["pz_r", "pz_l", "pz_thin"]),
        ("Margherita Pizza", "마르게리타 피자", 17900, 1800, "San Marzano tomato, fresh mozzarella and basil", ["margherita", "classic", "vegetarian"], ["pz_r", "pz_l", "pz_thin"]),
        ("Sweet Potato Pizza", "고구마 피자", 20900, 2400, "sweet potato mousse with bacon and corn", ["sweet-potato", "korean-style"], ["pz_r", "pz_l", "pz_cheese"]),
        ("Gorgonzola Pizza", "고르곤졸라 피자", 16900, 1650, "thin gorgonzola pizza with a honey dip", ["cheese", "honey", "vegetarian"], ["pz_r", "pz_l"]),
    ],
    "Burgers": [
        ("Classic Cheeseburger", "클래식 치즈버거", 7900, 650, "a beef patty with cheddar, pickles, onions and ketchup", ["beef", "classic"], ["set", "double"]),
        ("Bacon Burger", "베이컨 버거", 8900, 780, "a beef patty with crispy bacon and smoky sauce", ["beef", "bacon"], ["set", "double"]),
        ("Bulgogi Burger", "불고기 버거", 6900, 560, "a pork bulgogi patty with sweet soy glaze and lettuce", ["bulgogi", "korean-style"], ["set", "double"]),
        ("Spicy Chicken Burger", "매운 치킨 버거", 7500, 620, "crispy spicy chicken thigh with coleslaw", ["chicken", "spicy"], ["set"]),
        ("Mushroom Swiss Burger", "머쉬룸 스위스 버거", 9500, 720, "a beef patty with sautéed mushrooms and Swiss cheese", ["beef", "mushroom"], ["set", "double"]),
        ("Avocado Burger", "아보카도 버거", 9900, 710, "a beef patty with sliced avocado and chipotle mayo", ["beef", "avocado"], ["set", "double"]),
        ("Shrimp Burger", "새우 버거", 7200, 540, "a whole-shrimp patty with tartar sauce", ["shrimp", "seafood"], ["set", "double"]),
        ("Truffle Burger", "트러플 버거", 11900, 820, "a dry-aged beef patty with truffle mayo and gruyère", ["beef", "truffle", "premium"], ["set", "double"]),
        ("Fish Burger", "피쉬 버거", 6900, 480, "crispy pollock fillet with tartar sauce", ["fish", "seafood"], ["set"]),
        ("Veggie Burger", "베지 버거", 8500, 520, "a plant-based patty with roasted peppers and hummus", ["vegetarian", "plant-based"], ["set", "double"]),
        ("Jalapeño Burger", "할라피뇨 버거", 8900, 700, "a beef patty with pepper jack and pickled jalapeños", ["beef", "spicy"], ["set", "double"]),
        ("Teriyaki Chicken Burger", "데리야끼 치킨 버거", 7900, 590, "grilled chicken thigh with teriyaki glaze and lettuce", ["chicken", "teriyaki"], ["set", "double"]),
    ],
    "Japanese": [
        ("Assorted Sushi", "모둠 초밥", 16000, 620, "twelve pieces of chef's choice nigiri", ["sushi", "raw-fish"], ["premium", "large"]),
        ("Salmon Sushi", "연어 초밥", 15000, 560, "ten pieces of salmon nigiri with onion and mayo", ["sushi", "salmon"], ["premium", "large"]),
        ("Pork Cutlet", "돈카츠", 10000, 850, "a thick panko-crumbed pork loin cutlet with tonkatsu sauce", ["tonkatsu", "fried"], ["teishoku", "cheese", "large"]),
        ("Tonkotsu Ramen", "돈코츠 라멘", 10500, 780, "rich pork bone broth with chashu, egg and nori", ["ramen", "noodles"], ["spicy", "gop", "premium"]),
        ("Beef Rice Bowl", "규동", 9500, 700, "thin-sliced beef and onion simmered in sweet soy over rice", ["donburi", "beef", "rice"], ["large", "cheese", "spicy"]),
        ("Katsu Rice Bowl", "가츠동", 10000, 820, "pork cutlet and egg simmered in dashi over rice", ["donburi", "tonkatsu", "rice"], ["large", "cheese"]),
        ("Salmon Rice Bowl", "사케동", 14000, 640, "sliced raw salmon over sushi rice with wasabi", ["donburi", "salmon", "raw-fish"], ["large", "premium"]),
        ("Sashimi Platter", "모둠회", 35000, 600, "flounder, salmon, tuna and sea bream sashimi", ["sashimi", "raw-fish", "sharing"], ["small", "large", "premium"]),
        ("Okonomiyaki", "오코노미야키", 13000, 750, "a cabbage and pork pancake with bonito flakes and mayo", ["okonomiyaki", "pancake"], ["seafood", "cheese"]),
        ("Takoyaki", "타코야키", 6000, 420, "eight octopus balls with takoyaki sauce and bonito flakes", ["takoyaki", "street-food"], ["cheese", "spicy"]),
        ("Tempura Udon", "튀김 우동", 9500, 620, "udon in a light dashi broth with shrimp tempura", ["udon", "noodles", "tempura"], ["gop", "beef"]),
        ("Chicken Karaage", "치킨 가라아게", 11000, 780, "soy-ginger marinated fried chicken with lemon", ["karaage", "fried"], ["teishoku", "large"]),
    ],
    "Chinese": [
        ("Jajangmyeon", "짜장면", 7000, 780, "wheat noodles in a black bean sauce with pork and onion", ["noodles", "black-bean"], ["gop", "seafood"]),
        ("Jjamppong", "짬뽕", 8500, 690, "noodles in a spicy seafood broth", ["noodles", "spicy", "seafood"], ["gop", "beef"]),
        ("Sweet and Sour Pork", "탕수육", 18000, 1300, "crispy pork in a tangy sweet and sour sauce", ["fried", "pork", "sharing"], ["small", "large"]),
        ("Fried Rice", "볶음밥", 8000, 750, "wok-fried rice with egg and vegetables, served with black bean sauce", ["rice", "wok"], ["seafood", "beef", "gop"]),
        ("Mapo Tofu Rice", "마파두부밥", 9000, 640, "spicy Sichuan mapo tofu with minced pork over rice", ["tofu", "spicy", "rice"], ["large", "spicy"]),
        ("Kkanpunggi", "깐풍기", 22000, 1250, "fried chicken in a garlicky sweet-spicy sauce", ["fried", "chicken", "sharing"], ["small", "large"]),
        ("Yuringi", "유린기", 22000, 1180, "crispy chicken with a soy-vinegar sauce and leeks", ["fried", "chicken", "sharing"], ["small", "large"]),
        ("Pan-fried Dumplings", "군만두", 6000, 480, "eight crisp-bottomed pork and chive dumplings", ["dumplings", "side"], ["large", "spicy"]),
        ("Mala Xiang Guo", "마라샹궈", 19000, 980, "dry-fried mala stir-fry with beef, lotus root and noodles", ["mala", "spicy", "sichuan"], ["small", "large", "seafood"]),
        ("Malatang", "마라탕", 12000, 720, "a numbing mala soup with vegetables, tofu skin and noodles", ["mala", "spicy", "soup"], ["beef", "seafood", "large"]),
        ("Lamb Skewers", "양꼬치", 15000, 900, "ten cumin-spiced lamb skewers", ["lamb", "skewers", "late-night"], ["large", "spicy"]),
        ("Japchae Rice", "잡채밥", 9000, 760, "glass noodle stir-fry with vegetables over rice", ["rice", "glass-noodles"], ["gop", "spicy"]),
    ],
    "Middle Eastern": [
        ("Chicken Shawarma Wrap", "치킨 샤와르마 랩", 9900, 650, "spiced rotisserie chicken, pickles and garlic sauce in flatbread", ["shawarma", "wrap", "chicken"], ["spicy", "plate", "box2"]),
        ("Beef Shawarma Wrap", "소고기 샤와르마 랩", 10900, 700, "marinated beef, tahini, tomato and parsley in flatbread", ["shawarma", "wrap", "beef"], ["spicy", "plate"]),
        ("Falafel Wrap", "팔라펠 랩", 8900, 560, "crispy chickpea falafel with tahini and pickled turnips", ["falafel", "wrap", "vegetarian"], ["spicy", "plate"]),
        ("Lamb Kebab", "양고기 케밥", 14900, 780, "chargrilled minced lamb kebab with sumac onions", ["kebab", "lamb", "grill"], ["plate", "box2", "spicy"]),
        ("Hummus and Pita", "후무스와 피타", 8900, 520, "creamy chickpea hummus with olive oil and warm pita", ["hummus", "vegetarian", "side"], ["large", "beef"]),
        ("Chicken Shish Tawook", "치킨 쉬시 타욱", 13900, 690, "yoghurt-marinated chicken skewers with garlic toum", ["chicken", "grill", "skewers"], ["plate", "box2", "spicy"]),
        ("Mixed Grill", "믹스 그릴", 29000, 1400, "lamb kofta, chicken tawook and beef kebab with grilled vegetables", ["grill", "sharing"], ["box2", "large"]),
        ("Beef Kofta", "비프 코프타", 13900, 720, "spiced beef kofta with tahini and parsley", ["kofta", "beef", "grill"], ["plate", "spicy"]),
        ("Shakshuka", "샥슈카", 11900, 480, "eggs poached in a spiced tomato and pepper sauce with bread", ["eggs", "brunch", "vegetarian"], ["cheese", "spicy"]),
        ("Lamb Mandi", "양고기 만디", 18900, 950, "slow-cooked lamb over fragrant spiced rice", ["lamb", "rice"], ["large", "box2"]),
        ("Fattoush Salad", "파투시 샐러드", 9900, 320, "crisp vegetables, herbs and toasted pita with a sumac dressing", ["salad", "vegetarian"], ["large", "extra"]),
    ],
    "Desserts": [
        ("Strawberry Bingsu", "딸기 빙수", 12900, 520, "snowy milk ice with fresh strawberries and condensed milk", ["bingsu", "strawberry", "shaved-ice"], ["large", "for2"]),
        ("Injeolmi Bingsu", "인절미 빙수", 10900, 560, "milk ice with roasted soybean powder and rice cake bites", ["bingsu", "shaved-ice"], ["large", "for2"]),
        ("Mango Bingsu", "망고 빙수", 13900, 540, "milk ice piled with ripe mango", ["bingsu", "mango", "shaved-ice"], ["large", "for2"]),
        ("Tiramisu", "티라미수", 6900, 450, "mascarpone and espresso-soaked ladyfingers", ["cake", "coffee"], ["strawberry", "large"]),
        ("Basque Cheesecake", "바스크 치즈케이크", 7500, 480, "a burnt-top cheesecake with a creamy centre", ["cake", "cheesecake"], ["strawberry", "choco"]),
        ("Croffle", "크로플", 4500, 380, "a croissant waffle with a caramelised crust", ["croffle", "bakery"], ["choco", "strawberry"]),
        ("Macarons", "마카롱", 13000, 540, "a box of six assorted French macarons", ["macaron", "gift"], ["strawberry", "choco"]),
        ("Brown Sugar Bubble Tea", "흑당 버블티", 5500, 420, "brown sugar syrup, fresh milk and chewy tapioca pearls", ["drink", "bubble-tea"], ["drink_l", "choco"]),
        ("Americano", "아메리카노", 3500, 10, "a double shot of espresso with water", ["drink", "coffee"], ["iced", "drink_l", "decaf"]),
        ("Café Latte", "카페 라테", 4500, 180, "espresso with steamed milk", ["drink", "coffee"], ["iced", "drink_l", "decaf"]),
        ("Strawberry Latte", "딸기 라떼", 5900, 290, "fresh strawberry purée with cold milk", ["drink", "strawberry"], ["drink_l"]),
        ("Hotteok Sweet Pancakes", "호떡", 4500, 510, "three chewy pancakes filled with brown sugar and nuts", ["street-food", "hotteok"], ["cheese", "large"]),
        ("Honey Bread", "허니브레드", 8900, 820, "thick-cut toast with honey, butter and whipped cream", ["bakery", "honey"], ["choco", "strawberry"]),
        ("Churros", "츄러스", 5500, 480, "four cinnamon-sugar churros with a dipping sauce", ["churros", "fried"], ["choco"]),
        ("Yuja Tea", "유자차", 4500, 160, "hot citron tea made with Goheung yuja", ["drink", "tea"], ["iced", "drink_l"]),
    ],
    "Salads": [
        ("Chicken Caesar Salad", "치킨 시저 샐러드", 10900, 520, "romaine, grilled chicken, croutons and parmesan in Caesar dressing", ["salad", "chicken"], ["large", "extra"]),
        ("Salmon Poke Bowl", "연어 포케", 12900, 580, "raw salmon, rice, edamame and avocado with ponzu", ["poke", "salmon"], ["spicy", "large", "extra"]),
        ("Tuna Poke Bowl", "참치 포케", 12900, 560, "raw tuna, rice, cucumber and seaweed salad", ["poke", "tuna"], ["spicy", "large", "extra"]),
        ("Cobb Salad", "콥 샐러드", 11900, 610, "chicken, bacon, egg, avocado and blue cheese", ["salad", "chicken"], ["large", "extra"]),
        ("Greek Salad", "그릭 샐러드", 9900, 380, "tomato, cucumber, olives and feta with oregano", ["salad", "vegetarian"], ["large", "extra"]),
        ("Quinoa Bowl", "퀴노아 볼", 10900, 450, "quinoa, roasted vegetables, chickpeas and tahini", ["bowl", "vegan"], ["large", "extra", "spicy"]),
        ("Grilled Tofu Salad", "두부 샐러드", 9500, 400, "pan-grilled tofu over greens with sesame dressing", ["salad", "tofu", "vegan"], ["large", "spicy"]),
        ("Shrimp Avocado Salad", "새우 아보카도 샐러드", 12500, 470, "grilled shrimp and avocado with citrus dressing", ["salad", "shrimp"], ["large", "extra"]),
        ("Steak Salad", "스테이크 샐러드", 14500, 590, "sliced sirloin over rocket with balsamic and parmesan", ["salad", "beef"], ["large", "extra"]),
        ("Burrata Salad", "부라타 샐러드", 13900, 520, "burrata with cherry tomatoes, basil and olive oil", ["salad", "cheese", "vegetarian"], ["large"]),
    ],
    "Noodles": [
        ("Cold Buckwheat Noodles", "물냉면", 9500, 520, "buckwheat noodles in icy beef broth with pear and egg", ["naengmyeon", "cold"], ["gop", "beef"]),
        ("Spicy Cold Noodles", "비빔냉면", 9500, 580, "buckwheat noodles in a sweet and spicy gochujang sauce", ["naengmyeon", "spicy", "cold"], ["gop", "beef"]),
        ("Knife-cut Noodle Soup", "칼국수", 8500, 600, "hand-cut wheat noodles in an anchovy broth", ["kalguksu", "soup"], ["seafood", "gop", "spicy"]),
        ("Banquet Noodles", "잔치국수", 6500, 450, "thin wheat noodles in a light anchovy broth with zucchini and egg", ["guksu", "soup"], ["gop", "spicy"]),
        ("Udon", "우동", 7500, 480, "thick udon in a light dashi broth with fish cake", ["udon", "soup"], ["gop", "beef", "spicy"]),
        ("Beef Pho", "소고기 쌀국수", 10500, 520, "rice noodles in a clear beef broth with herbs and lime", ["pho", "vietnamese", "beef"], ["gop", "spicy", "premium"]),
        ("Pad Thai", "팟타이", 11500, 700, "stir-fried rice noodles with tamarind, peanuts and bean sprouts", ["pad-thai", "thai"], ["seafood", "spicy", "gop"]),
        ("Spicy Chewy Noodles", "쫄면", 7500, 560, "chewy noodles with vegetables in a spicy-sour sauce", ["jjolmyeon", "spicy", "cold"], ["gop", "tuna"]),
        ("Dan Dan Noodles", "탄탄면", 10500, 680, "sesame-chilli noodles with minced pork", ["dandan", "sichuan", "spicy"], ["gop", "spicy"]),
        ("Carbonara", "까르보나라", 13500, 820, "spaghetti with guanciale, egg yolk and pecorino", ["pasta", "italian"], ["large", "seafood"]),
        ("Aglio e Olio", "알리오 올리오", 12500, 640, "spaghetti with garlic, chilli and olive oil", ["pasta", "italian"], ["seafood", "spicy", "large"]),
        ("Rosé Pasta", "로제 파스타", 14000, 780, "penne in a creamy tomato rosé sauce", ["pasta", "italian"], ["seafood", "spicy", "large"]),
    ],
}
def food_second(category: str, tags: list, mod) -> str:
    """A short second sentence that fits the dish (serving, spice, packaging)."""
    opts = ["A regular on our weekly best-seller list.", "Cutlery on request."]
    spicy = "spicy" in tags or mod == "spicy"
    if spicy:
        opts.append(f"Spice level {rng.randint(3, 5)}/5.")
    if category in ("Korean", "Chicken", "Pizza", "Chinese"):
        opts.append("Comes with pickled radish.")
    if category in ("Desserts",):
        opts += ["Packed in an insulated bag to keep it cold." if "drink" not in tags or mod == "iced" else "Sealed with a spill-proof lid.",
                 "Pairs well with an Americano."]
    elif category == "Salads" or "cold" in tags:
        opts += ["Delivered chilled, dressing on the side." if category == "Salads" else "Delivered chilled with ice."]
    else:
        opts += ["Delivered hot in a sealed container.", "Best eaten within 30 minutes of delivery."]
    if mod in ("for2", "box2", "pz_family", "large") or "sharing" in tags:
        opts.append("Serves 2-3.")
    return pick(opts)


MOD_TAGS = {"pz_r": "regular", "pz_l": "large", "pz_thin": "thin-crust", "pz_cheese": "cheese-crust",
            "pz_family": "family-size", "gop": "large", "for2": "for-two", "box2": "for-two", "drink_l": "large",
            "extra": "extra-protein", "teishoku": "set-meal", "drum": "drumsticks", "choco": "chocolate"}


def food_price(p: float) -> int:
    return max(2500, int(round(p / 500.0)) * 500)


def build_food(cat: Catalog, new_items: Catalog) -> None:
    next_id = 4001
    targets = {"Korean": 40, "Chicken": 38, "Pizza": 40, "Burgers": 36, "Japanese": 38, "Chinese": 38,
               "Middle Eastern": 34, "Desserts": 38, "Salads": 30, "Noodles": 38}
    quoted_left = 4
    for category in FOOD_DISHES:
        combos = []
        for di, d in enumerate(FOOD_DISHES[category]):
            if category != "Pizza":
                combos.append((di, None))
            for m in d[6]:
                combos.append((di, m))
        # every dish appears at least once (pizzas always come in a size)
        keep = [c for c in combos if c[1] is None]
        if category == "Pizza":
            keep = [(di, "pz_l") for di in range(len(FOOD_DISHES[category]))]
        rest = [c for c in combos if c not in keep]
        rng.shuffle(rest)
        chosen = keep + rest[: max(0, targets[category] - len(keep))]
        chosen.sort(key=lambda c: (c[0], c[1] or ""))
        for di, m in chosen:
            en, ko, price, kcal, desc, tags, _ = FOOD_DISHES[category][di]
            if m:
                t_en, t_ko, mult, add, kadd, phrase = FOOD_MODS[m]
                name = t_en.format(en)
                name_ko = t_ko.format(ko)
                p = price * mult + add
                k = int(kcal * (mult if m not in ("cheese", "spicy", "tuna", "set") else 1.0) + kadd)
                desc_full = f"{cap(desc)}, {phrase}."
                mtags = [MOD_TAGS.get(m, m)]
            else:
                name, name_ko, p, k = en, ko, price, kcal
                desc_full = f"{cap(desc)}."
                mtags = []
            if cat.has_name("food", name):
                continue
            second = food_second(category, tags, m)
            if quoted_left > 0 and rng.random() < 0.04:
                second = 'Made with our "secret" house sauce.'
                quoted_left -= 1
            description = f"{desc_full} {second}"
            row = new_row(id=next_id, name=name, name_ko=name_ko, category=category,
                          tags=tags_join([category.lower()] + tags + mtags), description=description,
                          price=food_price(p * rng.uniform(0.95, 1.08)), currency="KRW",
                          released_at=random_date("2025-01-10", "2026-09-30") if rng.random() < 0.95 else random_date("2026-10-01", "2026-11-08"),
                          vertical="food", rating=rating(4.45, 0.35), calories=max(5, int(k * rng.uniform(0.95, 1.05))))
            cat.add(row, dish=en, cuisine=category, pop=1.0,
                    drink="drink" in tags)
            next_id += 1
    new_food = [
        (4901, "Truffle Cream Tteokbokki", "트러플 크림 떡볶이", "Korean", ["korean", "street-food", "rice-cake", "truffle", "new"],
         "Chewy rice cakes in a creamy truffle sauce with bacon and parmesan. New on the menu this week.", 9500, 780),
        (4902, "Yuzu Honey Fried Chicken", "유자 허니 치킨", "Chicken", ["chicken", "fried-chicken", "yuzu", "sweet", "new"],
         "Crispy fried chicken glazed with Goheung yuzu and honey, finished with sesame. New this week.", 22000, 2300),
        (4903, "Strawberry Cheesecake Bingsu", "딸기 치즈케이크 빙수", "Desserts", ["desserts", "bingsu", "strawberry", "cheesecake", "new"],
         "Snowy milk ice with fresh winter strawberries and chunks of cheesecake. Serves 2.", 14900, 620),
        (4904, "Chestnut Cream Latte", "밤 크림 라떼", "Desserts", ["desserts", "drink", "coffee", "chestnut", "new"],
         "Espresso with roasted chestnut cream and milk, a new winter seasonal drink.", 6300, 310),
    ]
    for iid, name, ko, category, tags, desc, price, kcal in new_food:
        new_items.add(new_row(id=iid, name=name, name_ko=ko, category=category, tags=tags_join(tags), description=desc,
                              price=price, currency="KRW", released_at="2026-11-15" if iid % 2 else "2026-11-14",
                              vertical="food", rating=rating(4.6, 0.2), calories=kcal), dish=name, cuisine=category, pop=0.0)


# --------------------------------------------------------------------------------------
# INTERACTIONS: simulated users with favourite verticals, funnels and co-purchase structure
# --------------------------------------------------------------------------------------

N_USERS = 720
SERENA_TS = ts_of(2026, 11, 10)
KST = 9 * 3600
EQUIPPABLE = {"Descendant", "Premium skin", "Head skin", "Makeup", "Weapon", "Weapon skin", "Emote",
              "Back attachment", "Spawn effect"}
VERTICALS = ["game", "grocery", "fashion", "food"]
VERTICAL_SHARE = [0.28, 0.32, 0.20, 0.20]
# day-of-week multipliers (Mon..Sun) and hour-of-day weights in Korean time
DOW = {
    "game": [0.9, 0.85, 0.9, 0.95, 1.1, 1.4, 1.35],
    "grocery": [1.0, 0.95, 0.95, 1.0, 1.05, 1.25, 1.3],
    "fashion": [0.9, 0.9, 0.95, 1.0, 1.1, 1.2, 1.3],
    "food": [0.85, 0.85, 0.9, 0.95, 1.35, 1.4, 1.15],
}
HOURS = {
    "game": [0.6, 0.4, 0.25, 0.15, 0.1, 0.1, 0.15, 0.2, 0.3, 0.35, 0.4, 0.45, 0.6, 0.55, 0.5, 0.55, 0.65, 0.8,
             1.0, 1.2, 1.4, 1.5, 1.4, 1.0],
    "grocery": [0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.6, 0.8, 0.9, 1.0, 0.9, 0.8, 0.7, 0.7, 0.7, 0.8, 0.9,
                1.0, 1.1, 1.3, 1.4, 1.3, 0.7],
    "fashion": [0.4, 0.25, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.5, 0.6, 0.7, 0.8, 1.0, 1.0, 0.8, 0.7, 0.7, 0.8,
                0.9, 1.0, 1.2, 1.3, 1.2, 0.8],
    "food": [0.3, 0.2, 0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.2, 0.3, 0.6, 1.3, 1.6, 0.9, 0.4, 0.3, 0.4, 0.9,
             1.6, 1.8, 1.3, 0.8, 0.6, 0.4],
}
# Korean-time calendar days covered by the log
FIRST_DAY = ts_of(2026, 10, 1) - KST  # KST midnight, Oct 1
N_DAYS = 46                            # Oct 1 .. Nov 15 (KST)


def wchoice(items, weights):
    total = 0.0
    for w in weights:
        total += w
    if total <= 0:
        return None
    r = rng.random() * total
    acc = 0.0
    for it, w in zip(items, weights):
        acc += w
        if r < acc and w > 0:
            return it
    for it, w in zip(reversed(items), reversed(weights)):
        if w > 0:
            return it
    return None


def wsample(items, weights, k):
    """k distinct items, weighted, without replacement."""
    items = list(items)
    weights = list(weights)
    out = []
    for _ in range(min(k, len(items))):
        it = wchoice(items, weights)
        if it is None:
            break
        i = items.index(it)
        out.append(it)
        del items[i]
        del weights[i]
    return out


class World:
    """Catalog lookups used by the simulator."""

    def __init__(self, cat: Catalog) -> None:
        self.cat = cat
        self.row = cat.by_id
        self.meta = cat.meta
        self.rel = {iid: date_ts(r["released_at"]) for iid, r in cat.by_id.items()}
        self.price = {iid: int(r["price"]) for iid, r in cat.by_id.items()}
        self.limit = {iid: int(r["purchase_limit"]) for iid, r in cat.by_id.items() if r["purchase_limit"]}
        self.by_vertical = {v: [r["id"] for r in cat.rows if r["vertical"] == v] for v in VERTICALS}
        # Zipf-like popularity within each vertical: a random rank order, a few hits, a long
        # tail, and ~6 % of items that nobody touches at all
        self.pop = {}
        zipf_s = {"game": 1.05, "grocery": 0.85, "fashion": 1.0, "food": 1.0}
        for v in VERTICALS:
            ids = list(self.by_vertical[v])
            rng.shuffle(ids)
            for rank, iid in enumerate(ids):
                w = 1.0 / (rank + 4) ** zipf_s[v]
                if rng.random() < 0.06 and not (v == "game" and int(iid) <= 1026):
                    w = 0.0
                self.pop[iid] = w * 1000.0 * self.meta[iid].get("pop", 1.0)
        for iid in ("1025", "1026"):
            self.pop[iid] = max(self.pop[iid], 120.0)
        # the everyday SKU of each grocery product sells more than its variants
        seen_products = set()
        for iid in self.by_vertical["grocery"]:
            prod = self.meta[iid]["product"]
            if prod not in seen_products:
                seen_products.add(prod)
                self.pop[iid] = self.pop[iid] * 3.0 + 20.0
        # game structure
        self.desc_item = {}
        self.cosmetics = {}
        for iid in self.by_vertical["game"]:
            m = self.meta[iid]
            d = m.get("descendant")
            if m["kind"] == "Descendant":
                self.desc_item[d] = iid
            elif d and m["kind"] in ("Premium skin", "Head skin", "Makeup"):
                self.cosmetics.setdefault(d, []).append(iid)
        self.game_general = [i for i in self.by_vertical["game"] if self.meta[i]["kind"] in
                             ("Weapon", "Weapon skin", "Emote", "Back attachment", "Spawn effect")]
        self.game_helpers = [i for i in self.by_vertical["game"] if self.meta[i]["kind"] in ("Helper", "Currency pack")
                             and i not in ("1009", "1010")]
        # grocery: SKUs per product
        self.skus = {}
        for iid in self.by_vertical["grocery"]:
            self.skus.setdefault(self.meta[iid]["product"], []).append(iid)
        # fashion by category
        self.fashion_cat = {}
        for iid in self.by_vertical["fashion"]:
            self.fashion_cat.setdefault(self.row[iid]["category"], []).append(iid)
        # food by cuisine
        self.food_cat = {}
        for iid in self.by_vertical["food"]:
            self.food_cat.setdefault(self.row[iid]["category"], []).append(iid)

    def avail(self, ids, ts):
        return [i for i in ids if self.rel[i] <= ts]


class User:
    def __init__(self, uid: str) -> None:
        self.uid = uid
        self.purchases: dict[str, int] = {}
        self.events: list = []
        self.owned_desc: set = set()


class Sim:
    def __init__(self, world: World) -> None:
        self.w = world
        self.seq = 0
        self.events: list = []

    # ---- event emission
    def emit(self, u: User, t: int, iid: str, etype: str, value: str = "") -> None:
        if t > END_TS or t < START_TS:
            return
        assert self.w.rel[iid] <= t, (iid, etype, t)
        self.seq += 1
        self.events.append((t, u.uid, self.seq, iid, etype, value))

    def buy(self, u: User, t: int, iid: str, qty: int = 1) -> bool:
        if t > END_TS:
            return False
        lim = self.w.limit.get(iid)
        n = u.purchases.get(iid, 0)
        if lim is not None and n >= lim:
            return False
        u.purchases[iid] = n + 1
        self.emit(u, t, iid, "purchase", str(self.w.price[iid] * qty))
        return True

    # ---- time
    def session_start(self, v: str, lo: int, hi: int, day_boost=None) -> int | None:
        days = []
        weights = []
        for d in range(N_DAYS):
            day0 = FIRST_DAY + d * DAY
            if day0 + DAY <= lo or day0 > hi:
                continue
            dow = datetime.fromtimestamp(day0 + KST, UTC).weekday()
            wgt = DOW[v][dow] * (1.0 + 0.2 * d / N_DAYS)
            if v in ("fashion", "grocery") and d == 41:  # 11.11 shopping day
                wgt *= 1.9
            if day_boost:
                wgt *= day_boost(day0)
            days.append(day0)
            weights.append(wgt)
        if not days:
            return None
        for _ in range(20):
            day0 = wchoice(days, weights)
            hour = wchoice(list(range(24)), HOURS[v])
            t = day0 + hour * 3600 + rng.randint(0, 3599)
            if lo <= t <= hi - 600:
                return t
        return None

    @staticmethod
    def gap(a: int = 4, b: int = 75) -> int:
        return rng.randint(a, b)

    # ---- GAME
    def game_session(self, u: User, t: int, launch: bool) -> None:
        w = self.w
        p = u.prefs["game"]
        spend = p["spend"]

        def equip(t0, iid):
            if w.meta[iid]["kind"] in EQUIPPABLE and rng.random() < 0.88:
                self.emit(u, t0 + rng.randint(20, 400), iid, "equip")

        def browse_cosmetics(t, d, k, featured=None):
            cands = w.avail(w.cosmetics.get(d, []), t)
            if not cands:
                return t
            wts = [w.pop[i] * (featured.get(i, 1.0) if featured else 1.0) for i in cands]
            for iid in wsample(cands, wts, k):
                t += self.gap()
                self.emit(u, t, iid, "view")
                if rng.random() < 0.55:
                    t += self.gap(3, 40)
                    self.emit(u, t, iid, "click")
                    kind = w.meta[iid]["kind"]
                    pb = {"Premium skin": 0.22, "Head skin": 0.3, "Makeup": 0.32}[kind] * spend
                    if iid in ("1025", "1026"):
                        pb *= 2.5
                    if d == "serena":
                        pb *= 1.6 if iid == "1002" else 1.3
                    if u.purchases.get(iid, 0) == 0 and rng.random() < pb:
                        t += self.gap(10, 90)
                        if self.buy(u, t, iid):
                            equip(t, iid)
                            t += 420
            return t

        def buy_descendant(t, d, p_buy):
            iid = w.desc_item[d]
            if w.rel[iid] > t:
                return t, False
            t += self.gap()
            self.emit(u, t, iid, "view")
            if rng.random() < 0.65:
                t += self.gap(3, 40)
                self.emit(u, t, iid, "click")
                if d not in u.owned_desc and rng.random() < p_buy:
                    t += self.gap(20, 120)
                    if self.buy(u, t, iid):
                        u.owned_desc.add(d)
                        equip(t, iid)
                        return t + 420, True
            return t, False

        if launch and t >= SERENA_TS:
            fan = p["serena_fan"]
            if "serena" not in u.owned_desc:
                t, bought = buy_descendant(t, "serena", (0.5 if fan else 0.08) * spend)
            if "serena" in u.owned_desc:
                featured = {"1002": 3.0, "1003": 2.0, "1005": 1.6, "1004": 1.3}
                t = browse_cosmetics(t, "serena", rng.randint(2, 5), featured)
            for hid, ph in (("1010", 0.45 if fan else 0.15), ("1009", 0.35 if fan else 0.12)):
                if rng.random() < ph + 0.2:
                    t += self.gap()
                    self.emit(u, t, hid, "view")
                    if rng.random() < ph * spend * 1.4:
                        t += self.gap(5, 60)
                        self.emit(u, t, hid, "click")
                        if rng.random() < 0.65:
                            t += self.gap(5, 60)
                            self.buy(u, t, hid)
            if rng.random() < 0.5:
                return
        mode = wchoice(["character", "browse", "helper"], [0.5, 0.33, 0.17])
        if mode == "character":
            d = wchoice(p["favs"], p["fav_w"])
            if d not in u.owned_desc:
                t, bought = buy_descendant(t, d, 0.28 * spend)
                if bought and rng.random() < 0.55:
                    t = browse_cosmetics(t, d, rng.randint(2, 4))
            else:
                t = browse_cosmetics(t, d, rng.randint(2, 5))
        elif mode == "browse":
            pool = w.avail(w.game_general, t) + [c for d in p["favs"] for c in w.avail(w.cosmetics.get(d, []), t)]
            # the shop front page features the newest premium skins
            for f in ("1025", "1026"):
                if w.rel[f] <= t and f not in pool:
                    pool.append(f)
            wts = [w.pop[i] for i in pool]
            for iid in wsample(pool, wts, rng.randint(3, 7)):
                t += self.gap()
                self.emit(u, t, iid, "view")
                if rng.random() < 0.4:
                    t += self.gap(3, 40)
                    self.emit(u, t, iid, "click")
                    d = w.meta[iid].get("descendant")
                    ok = d is None or d in u.owned_desc
                    if ok and u.purchases.get(iid, 0) == 0 and rng.random() < 0.14 * spend:
                        t += self.gap(10, 90)
                        if self.buy(u, t, iid):
                            equip(t, iid)
                            t += 420
        else:
            pool = w.avail(w.game_helpers, t)
            for iid in wsample(pool, [w.pop[i] + 5 for i in pool], rng.randint(1, 3)):
                t += self.gap()
                self.emit(u, t, iid, "view")
                if rng.random() < 0.5 * spend:
                    t += self.gap(3, 30)
                    self.emit(u, t, iid, "click")
                    if rng.random() < 0.6:
                        t += self.gap(3, 30)
                        self.buy(u, t, iid)

    # ---- GROCERY
    def grocery_session(self, u: User, t: int) -> None:
        w = self.w
        p = u.prefs["grocery"]
        if rng.random() < 0.85:
            baskets = wsample(p["baskets"], p["basket_w"], 1 if rng.random() < 0.7 else 2)
        else:
            baskets = [pick(list(GROCERY_BASKETS))]
        chosen = []
        for b in baskets:
            for prod, prob in GROCERY_BASKETS[b]:
                if rng.random() >= prob:
                    continue
                skus = w.avail(w.skus.get(prod, []), t)
                if not skus:
                    continue
                habit = p["habit"].get(prod)
                if habit and rng.random() < 0.72:
                    iid = habit
                else:
                    wts = [w.pop[i] * (p["org"] if w.row[i]["organic"] == "true" else 1.0) + 0.02 for i in skus]
                    iid = wchoice(skus, wts)
                if iid and iid not in chosen:
                    chosen.append(iid)
        cart = []
        for iid in chosen:
            if rng.random() < 0.85:
                t += self.gap()
                self.emit(u, t, iid, "view")
                if rng.random() < 0.55:
                    t += self.gap(3, 40)
                    self.emit(u, t, iid, "click")
            if rng.random() < 0.85:
                t += self.gap(3, 50)
                self.emit(u, t, iid, "add_to_cart")
                cart.append(iid)
            # impulse browsing next to the basket
            if rng.random() < 0.2:
                pool = w.avail(w.by_vertical["grocery"], t)
                other = wchoice(pool, [w.pop[i] for i in pool])
                if other:
                    t += self.gap()
                    self.emit(u, t, other, "view")
        if cart and rng.random() < 0.78:
            t += self.gap(30, 240)
            for iid in cart:
                qty = 1
                if w.price[iid] < 10000 and iid not in w.limit:
                    qty = wchoice([1, 2, 3], [0.7, 0.25, 0.05])
                if self.buy(u, t, iid, qty):
                    p["habit"].setdefault(w.meta[iid]["product"], iid)
                t += rng.randint(1, 3)

    # ---- FASHION
    def fashion_weights(self, u: User, ids):
        p = u.prefs["fashion"]
        w = self.w
        out = []
        for i in ids:
            m = w.meta[i]
            if m["gender"] not in (p["gender"], "u"):
                out.append(0.0)
                continue
            x = w.pop[i] + 0.05
            if m["colour"] in p["colours"]:
                x *= 3.0
            elif m["colour"] in NEUTRALS:
                x *= 1.4
            if m["style"] in p["styles"]:
                x *= 2.0
            if u.purchases.get(i):
                x *= 0.05
            out.append(x)
        return out

    def fashion_session(self, u: User, t: int) -> None:
        w = self.w
        p = u.prefs["fashion"]
        mode = wchoice(["browse", "outfit", "accessory"], [0.55, 0.3, 0.15])
        cart = []

        def look(t, iid, p_click, p_cart):
            t += self.gap(5, 90)
            self.emit(u, t, iid, "view")
            if rng.random() < p_click:
                t += self.gap(5, 60)
                self.emit(u, t, iid, "click")
                if u.purchases.get(iid, 0) == 0 and rng.random() < p_cart:
                    t += self.gap(10, 90)
                    self.emit(u, t, iid, "add_to_cart")
                    cart.append(iid)
            return t

        if mode == "browse":
            c = wchoice(p["cats"], p["cat_w"])
            pool = w.avail(w.fashion_cat[c], t)
            for iid in wsample(pool, self.fashion_weights(u, pool), rng.randint(3, 9)):
                t = look(t, iid, 0.35, 0.3)
        elif mode == "outfit":
            parts = []
            if p["gender"] == "w" and rng.random() < 0.3:
                parts.append("Dresses")
            else:
                parts += ["Tops", "Bottoms"]
            parts.append("Shoes")
            if rng.random() < 0.4:
                parts.insert(0, "Outerwear")
            for c in parts:
                pool = w.avail(w.fashion_cat[c], t)
                for iid in wsample(pool, self.fashion_weights(u, pool), 2 if rng.random() < 0.5 else 1):
                    t = look(t, iid, 0.75, 0.55)
        else:
            c = pick(["Bags", "Accessories"])
            pool = w.avail(w.fashion_cat[c], t)
            for iid in wsample(pool, self.fashion_weights(u, pool), rng.randint(2, 5)):
                t = look(t, iid, 0.4, 0.3)
        if cart and rng.random() < (0.7 if mode == "outfit" else 0.5):
            t += self.gap(60, 600)
            for iid in cart:
                if mode != "outfit" and len(cart) > 1 and rng.random() < 0.3:
                    continue
                self.buy(u, t, iid)
                t += rng.randint(1, 3)

    # ---- FOOD
    def food_session(self, u: User, t: int) -> None:
        w = self.w
        p = u.prefs["food"]
        cuisine = wchoice(p["cuisines"], p["cuisine_w"]) if rng.random() < 0.85 else pick(list(FOOD_DISHES))
        pool = w.avail(w.food_cat[cuisine], t)
        if not pool:
            return
        cart = []
        habit = p["habit"].get(cuisine)
        if habit and rng.random() < 0.5:
            t += self.gap(5, 40)
            self.emit(u, t, habit, "click")
            t += self.gap(5, 40)
            self.emit(u, t, habit, "add_to_cart")
            cart.append(habit)
        else:
            for iid in wsample(pool, [w.pop[i] + 0.05 for i in pool], rng.randint(2, 6)):
                t += self.gap(4, 50)
                self.emit(u, t, iid, "view")
                if len(cart) < 2 and rng.random() < 0.45:
                    t += self.gap(4, 40)
                    self.emit(u, t, iid, "click")
                    if rng.random() < 0.7:
                        t += self.gap(10, 60)
                        self.emit(u, t, iid, "add_to_cart")
                        cart.append(iid)
        if cart and cuisine != "Desserts" and rng.random() < (0.55 if p["sweet"] else 0.15):
            sweets = w.avail(w.food_cat["Desserts"], t)
            sw = p["habit"].get("Desserts") if rng.random() < 0.5 else None
            sw = sw or wchoice(sweets, [w.pop[i] + 0.05 for i in sweets])
            if sw:
                t += self.gap(5, 40)
                self.emit(u, t, sw, "view")
                t += self.gap(3, 30)
                self.emit(u, t, sw, "add_to_cart")
                cart.append(sw)
        if cart and rng.random() < 0.88:
            t += self.gap(20, 120)
            for iid in cart:
                qty = 2 if rng.random() < 0.15 else 1
                self.buy(u, t, iid, qty)
                cat_ = w.row[iid]["category"]
                if cat_ not in p["habit"] or rng.random() < 0.2:
                    p["habit"][cat_] = iid
                t += rng.randint(1, 3)


def make_users(world: World) -> list[User]:
    users = []
    desc_keys = [d[0] for d in DESCENDANTS if d[0] != "serena"]
    desc_w = [d[7] for d in DESCENDANTS if d[0] != "serena"]
    basket_keys = list(GROCERY_BASKETS)
    basket_w = [3.0 if b in ("strawberry_dessert", "samgyeopsal_night", "breakfast", "family_staples", "kimchi_stew")
                else 1.5 if b in ("salmon_dinner", "fruit_box", "quick_dinner", "bulgogi", "doenjang_stew") else 1.0
                for b in basket_keys]
    fashion_cats = ["Tops", "Outerwear", "Dresses", "Bottoms", "Shoes", "Bags", "Accessories"]
    cuisines = list(FOOD_DISHES)
    cuisine_w = [2.5, 2.2, 1.6, 1.3, 1.5, 1.6, 0.6, 1.0, 0.8, 1.2]
    colour_names = [c[0] for c in COLOURS]
    for i in range(1, N_USERS + 1):
        u = User(f"u{i:04d}")
        primary = wchoice(VERTICALS, VERTICAL_SHARE)
        verts = [primary]
        if rng.random() < 0.4:
            others = [v for v in VERTICALS if v != primary]
            verts.append(wchoice(others, [VERTICAL_SHARE[VERTICALS.index(v)] for v in others]))
        u.verts = verts
        u.vert_w = [0.75, 0.25] if len(verts) == 2 else [1.0]
        r = rng.random()
        if r < 0.025:
            u.n_sessions = rng.randint(28, 60)          # a few very active users
        else:
            u.n_sessions = max(1, min(10, int(rng.lognormvariate(1.25, 0.65))))
        u.join = START_TS if rng.random() < 0.72 else rng.randint(START_TS, END_TS - 3 * DAY)
        u.prefs = {}
        k = rng.randint(1, 3)
        favs = wsample(desc_keys, desc_w, k)
        u.prefs["game"] = {
            "favs": favs, "fav_w": [3.0, 1.5, 1.0][: len(favs)],
            "serena_fan": rng.random() < 0.55,
            "spend": wchoice([0.5, 1.0, 2.0], [0.35, 0.55, 0.10]),
        }
        # descendants the player already owned before the log started (never purchased in it)
        for d in favs:
            if rng.random() < 0.5:
                u.owned_desc.add(d)
        for d in sample(desc_keys, rng.randint(0, 3)):
            if DESC_BY_KEY[d][6] < "2026-01-01":
                u.owned_desc.add(d)
        nb = rng.randint(2, 4)
        bs = wsample(basket_keys, basket_w, nb)
        u.prefs["grocery"] = {"baskets": bs, "basket_w": [1.0 / (j + 1) for j in range(len(bs))],
                              "org": 4.0 if rng.random() < 0.3 else 0.6, "habit": {}}
        g = wchoice(["w", "m", "u"], [0.55, 0.42, 0.03])
        if g == "u":
            g = pick(["w", "m"])
        cats = wsample([c for c in fashion_cats if not (g == "m" and c == "Dresses")],
                       [3 if c in ("Tops", "Outerwear") else 2 if c in ("Bottoms", "Shoes", "Dresses") else 1
                        for c in fashion_cats if not (g == "m" and c == "Dresses")], rng.randint(2, 3))
        u.prefs["fashion"] = {"gender": g, "colours": sample(colour_names, 3), "styles": sample(STYLES, rng.randint(1, 2)),
                              "cats": cats, "cat_w": [1.0 / (j + 1) for j in range(len(cats))]}
        cs = wsample(cuisines, cuisine_w, rng.randint(1, 3))
        u.prefs["food"] = {"cuisines": cs, "cuisine_w": [1.0 / (j + 1) for j in range(len(cs))],
                           "sweet": rng.random() < 0.4, "habit": {}}
        users.append(u)
    return users


def simulate(cat: Catalog) -> list:
    world = World(cat)
    sim = Sim(world)
    users = make_users(world)
    for u in users:
        plan = []
        for _ in range(u.n_sessions):
            v = wchoice(u.verts, u.vert_w)
            t = sim.session_start(v, u.join, END_TS)
            if t is not None:
                plan.append((t, v, False))
        # the Serena launch pulls game players back between Nov 10 and Nov 15
        if "game" in u.verts and u.join < ts_of(2026, 11, 13):
            fan = u.prefs["game"]["serena_fan"]
            n_extra = rng.randint(1, 2) if fan else (1 if rng.random() < 0.3 else 0)
            for _ in range(n_extra):
                t = sim.session_start("game", SERENA_TS, END_TS, day_boost=lambda d0: 2.5 if d0 < SERENA_TS + 2 * DAY else 1.0)
                if t is not None:
                    plan.append((t, "game", True))
        plan.sort()
        for t, v, launch in plan:
            if v == "game":
                sim.game_session(u, t, launch or (t >= SERENA_TS and rng.random() < 0.5))
            elif v == "grocery":
                sim.grocery_session(u, t)
            elif v == "fashion":
                sim.fashion_session(u, t)
            else:
                sim.food_session(u, t)
    # realistic dirt: a few events on delisted item ids that are in no catalog
    by_vert = {}
    for u in users:
        by_vert.setdefault(u.verts[0], u)
    dirty = [
        (by_vert["game"].uid, "1998", "view", ts_of(2026, 10, 12, 13, 5, 41), ""),
        (by_vert["game"].uid, "1998", "purchase", ts_of(2026, 10, 12, 13, 6, 30), "900"),
        (by_vert["grocery"].uid, "2998", "add_to_cart", ts_of(2026, 10, 27, 11, 42, 7), ""),
        (by_vert["fashion"].uid, "3999", "view", ts_of(2026, 11, 3, 12, 18, 55), ""),
    ]
    for uid, iid, et, t, val in dirty:
        sim.seq += 1
        sim.events.append((t, uid, sim.seq, iid, et, val))
    sim.events.sort(key=lambda e: (e[0], e[1], e[2]))
    return sim.events, users


# ======================================================================================
# OUTPUT
# ======================================================================================

def write_csv(path: str, header: list, rows: list) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())


def summary(cat: Catalog, new_items: Catalog, events: list) -> dict:
    verts = {v: sum(1 for r in cat.rows if r["vertical"] == v) for v in VERTICALS}
    fresh = sum(1 for r in cat.rows if r["vertical"] == "grocery" and r["expires_at"])
    expired = sum(1 for r in cat.rows if r["expires_at"] and date_time_ts(r["expires_at"]) <= NOW_TS)
    soon = sum(1 for r in cat.rows if r["expires_at"] and NOW_TS < date_time_ts(r["expires_at"]) <= NOW_TS + 3 * DAY)
    unreleased = sum(1 for r in cat.rows if date_ts(r["released_at"]) > NOW_TS)
    out_of_stock = sum(1 for r in cat.rows if r["stock"] == "0")
    per_user = {}
    for e in events:
        per_user[e[1]] = per_user.get(e[1], 0) + 1
    counts = sorted(per_user.values())
    types = {t: sum(1 for e in events if e[4] == t) for t in ("view", "click", "add_to_cart", "purchase", "equip")}
    touched = {e[3] for e in events}
    return {
        "items": len(cat.rows), "verts": verts, "fresh": fresh, "expired": expired, "expiring_3d": soon,
        "unreleased": unreleased, "out_of_stock": out_of_stock, "new_items": len(new_items.rows),
        "events": len(events), "users": len(per_user), "types": types,
        "first": fmt_ts(events[0][0]), "last": fmt_ts(events[-1][0]),
        "median_events": counts[len(counts) // 2], "users_100": sum(1 for c in counts if c >= 100),
        "users_5_40": sum(1 for c in counts if 5 <= c <= 40),
        "zero_event_items": sum(1 for r in cat.rows if r["id"] not in touched),
        "dirty": sum(1 for e in events if e[3] not in cat.by_id),
    }


def date_time_ts(s: str) -> int:
    return int(datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def readme(st: dict) -> str:
    v = st["verts"]
    t = st["types"]
    return f"""# reclab sample data

Bundled demo data for reclab: a catalog of four verticals, several weeks of simulated user
events and a handful of brand-new (cold-start) items. Everything here is **generated** by
`generate.py` (Python 3.11, standard library only, fixed seed, no clock reads), so the files
are byte-identical on every run. Regenerate from anywhere with:

    python3 sample_data/generate.py

## Demo "now"

All scenarios assume **now = 2026-11-15T12:00:00Z**. The last logged event is just before it.
At that moment some fresh groceries have already expired, many expire within 1-3 days, a few
game and fashion items are listed but not released yet, and some items are out of stock.

## Files

| file | what |
|---|---|
| `catalog.csv` | {st['items']} items: game {v['game']}, grocery {v['grocery']}, fashion {v['fashion']}, food {v['food']} |
| `interactions.csv` | {st['events']} events from {st['users']} users, {st['first']} to {st['last']} |
| `new_items.csv` | {st['new_items']} items released 2026-11-14/15 with no events at all (cold start) |
| `generate.py` | the generator; prints these counts at the end of a run |

### catalog.csv / new_items.csv

`id,name,name_ko,category,tags,description,price,currency,stock,purchase_limit,released_at,expires_at,vertical,brand,rarity,rating,calories,organic,size`

- `id` - integer-like string. Ranges: game 1001-1999 (in-game shop), grocery 2001-2999 (fresh
  groceries), fashion 3001-3999, food 4001-4999 (food-delivery dishes). New items use
  1901-1905, 2901-2904, 3901-3904 and 4901-4904, which the catalog does not use.
- `name` English, `name_ko` the matching Korean name; `category` a short English category
  (game: Descendant, Premium skin, Head skin, Makeup, Helper, Weapon, Weapon skin, Emote,
  Back attachment, Spawn effect, Currency pack; grocery: Fruit, Vegetables, Meat, Seafood, Dairy,
  Bakery, Pantry, Beverages, Ready meals; fashion: Tops, Outerwear, Dresses, Bottoms, Shoes, Bags,
  Accessories; food: Korean, Chicken, Pizza, Burgers, Japanese, Chinese, Middle Eastern, Desserts,
  Salads, Noodles).
- `tags` lowercase, `|`-separated. `description` one or two English sentences; some contain
  commas, a few contain double quotes and two contain a line break (quoted CSV fields).
- `price` number; `currency` `caliber` for game items, `KRW` otherwise.
- `stock` integer for grocery and fashion ({st['out_of_stock']} items at 0 = out of stock), empty
  for game and food.
- `purchase_limit` per user: 1 for descendants, skins and other one-off game items, 3-10 for
  helper bundles and currency packs, 2-5 on a few promotional groceries; empty elsewhere.
- `released_at` `YYYY-MM-DD`; {st['unreleased']} game/fashion items release after now.
- `expires_at` `YYYY-MM-DDTHH:MM:SSZ`, fresh groceries only ({st['fresh']} items, 1-7 day shelf
  life): {st['expired']} already expired at now, {st['expiring_3d']} expire within 3 days.
- `vertical` game / grocery / fashion / food. `brand` fictional, grocery and fashion only.
  `rarity` game only (Common, Rare, Legendary, Ultimate). `rating` 1.0-5.0 for grocery, fashion
  and food. `calories` food only. `organic` `true`/`false`, grocery only. `size` fashion only
  (`S|M|L|XL`, `24|25|...`, `230-280`, `One size`).

### interactions.csv

`user_id,item_id,event_type,timestamp,value`

- `user_id` `u0001`...; `event_type` one of view, click, add_to_cart, purchase, equip
  (equip only for game items, after the user bought them; the in-game shop has no cart);
  `timestamp` `YYYY-MM-DDTHH:MM:SSZ`; `value` the amount paid (price x quantity) on purchase
  rows, empty otherwise. Rows are sorted by timestamp.
- Counts: view {t['view']}, click {t['click']}, add_to_cart {t['add_to_cart']},
  purchase {t['purchase']}, equip {t['equip']}. Median {st['median_events']} events per user,
  {st['users_5_40']} users with 5-40 events, {st['users_100']} with 100 or more.
- Structure: each user has one or two favourite verticals and favourite descendants /
  shopping missions / colours and styles / cuisines; item popularity is Zipf-like within a
  vertical ({st['zero_event_items']} catalog items have no events); funnels narrow from view
  to purchase; players buy a descendant and then her skins, hair and makeup; grocery baskets
  (strawberries + cream + yoghurt, pork belly + lettuce + ssamjang + garlic, ...); outfits
  (top + bottoms + shoes); food orders of one cuisine plus a dessert or drink. Daily and
  weekly rhythm in Korean time, with a shopping spike on 11.11.
- Purchases respect `purchase_limit`.
- {st['dirty']} rows deliberately reference item ids that are in no catalog (1998, 2998, 3999:
  delisted items); an importer should report them, not drop them silently.

## Launch scenario (in-game shop)

Serena, a new Descendant, launched on **2026-11-10** together with her cosmetics and two
helper bundles; their events start that day and spike over the following days.

| id | name | name_ko | category |
|---|---|---|---|
| 1001 | Serena | 세레나 | Descendant |
| 1002 | Serena's Exo Sister | 세레나의 엑소 시스터 | Premium skin |
| 1003 | Ash Beige Long Hair | 애쉬 베이지 롱 헤어 | Head skin |
| 1004 | Dark Wave Brown | 다크 웨이브 브라운 | Head skin |
| 1005 | Arche Halo | 아르케 헤일로 | Head skin |
| 1006 | Wisteria | 위스테리아 | Makeup |
| 1007 | Peony | 작약 | Makeup |
| 1008 | Snowflake | 눈송이 | Makeup |
| 1009 | Excavation Specialist Bundle | 발굴 특화 번들 | Helper |
| 1010 | Flight Adaptation Training Bundle | 비행 적응 훈련 번들 | Helper |
| 1025 | Gley's Dr. Elias | 글레이의 엘리아스 박사 | Premium skin |
| 1026 | Hailey's Silent Kill | 헤일리의 사일런트 킬 | Premium skin |

1025 and 1026 were released on 2026-10-22 and have moderate activity. `new_items.csv` adds a
new Serena premium skin (1901 Serena's Winter Bloom), head skin and makeup for cold-start demos.
"""


def main() -> None:
    cat = Catalog()
    new_items = Catalog()
    build_game(cat, new_items)
    build_grocery(cat, new_items)
    build_fashion(cat, new_items)
    build_food(cat, new_items)
    for r in new_items.rows:
        assert r["id"] not in cat.by_id, r["id"]
        assert not cat.has_name(r["vertical"], r["name"]), r["name"]
    for iid in DIRTY_ITEM_IDS:
        assert iid not in cat.by_id and iid not in new_items.by_id
    events, _users = simulate(cat)

    cat_rows = sorted(cat.rows, key=lambda r: int(r["id"]))
    new_rows = sorted(new_items.rows, key=lambda r: int(r["id"]))
    write_csv(os.path.join(HERE, "catalog.csv"), HEADER, [[r[h] for h in HEADER] for r in cat_rows])
    write_csv(os.path.join(HERE, "new_items.csv"), HEADER, [[r[h] for h in HEADER] for r in new_rows])
    write_csv(os.path.join(HERE, "interactions.csv"), EVENT_HEADER,
              [[uid, iid, et, fmt_ts(t), val] for (t, uid, _seq, iid, et, val) in events])
    st = summary(cat, new_items, events)
    with open(os.path.join(HERE, "README.md"), "w", encoding="utf-8", newline="") as f:
        f.write(readme(st))

    v = st["verts"]
    print(f"catalog.csv       {st['items']} items (game {v['game']}, grocery {v['grocery']}, "
          f"fashion {v['fashion']}, food {v['food']})")
    print(f"                  {st['fresh']} fresh groceries: {st['expired']} expired at now, "
          f"{st['expiring_3d']} expiring within 3 days; {st['unreleased']} not yet released; "
          f"{st['out_of_stock']} out of stock")
    print(f"interactions.csv  {st['events']} events, {st['users']} users, {st['first']} .. {st['last']}")
    print(f"                  " + ", ".join(f"{k} {n}" for k, n in st["types"].items()))
    print(f"                  median {st['median_events']} events/user, {st['users_5_40']} users with 5-40, "
          f"{st['users_100']} with 100+; {st['zero_event_items']} catalog items without events; "
          f"{st['dirty']} rows on unknown item ids")
    print(f"new_items.csv     {st['new_items']} cold-start items")
    print("README.md         written")


if __name__ == "__main__":
    main()
